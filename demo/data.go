package demo

import "spoor/domain"

// Fictitious data: common Flemish surnames and first names, a made-up
// municipality, example e-mail domains and an unassigned phone range.
//
// The tables are functions that build a fresh value on each call, so the
// package holds no mutable state and two generators cannot disturb each
// other.

func surnames() []string {
	return []string{
		"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
		"Vermeulen", "Hermans", "Aerts", "Michiels", "Smets", "Segers", "Van Damme", "Lambrechts", "Dierckx", "Verbeke",
		"De Backer", "Coppens", "Martens", "Vandenberghe", "Pauwels", "Desmet", "Bogaert", "Cools", "Van Acker", "Wuyts",
	}
}

func firstNames() []string {
	return []string{
		"Sara", "Kevin", "Nadia", "Jonas", "Lotte", "Mehmet", "Elke", "Bram", "Fatima", "Tom",
		"Ines", "Yusuf", "Katrien", "Dries", "Amina", "Wim", "Lien", "Omar", "Sofie", "Pieter",
	}
}

func childNames() []string {
	return []string{
		"Emma", "Noah", "Lina", "Adam", "Mila", "Liam", "Nora", "Rayan", "Lou", "Finn",
		"Yara", "Jules", "Elif", "Vic", "Amira", "Lars", "Hanne", "Sami", "Fien", "Milan",
	}
}

func streets() []string {
	return []string{
		"Lindelaan", "Beukenstraat", "Kerkplein", "Molenweg", "Stationsstraat", "Populierendreef", "Schoolstraat", "Bloemenwijk",
	}
}

const municipality = "Demostad"

// referrers per referral source: the organisation (public) and the
// referrer's role.
func referrers() map[domain.ReferralSource][2]string {
	return map[domain.ReferralSource][2]string{
		domain.SourcePolice:       {"Politiezone Demostad, Jeugd en Gezin", "wijkinspecteur"},
		domain.SourceCLB:          {"CLB Demostad", "CLB-medewerker"},
		domain.SourceSchool:       {"Basisschool De Regenboog", "zorgcoördinator"},
		domain.SourceKindEnGezin:  {"Kind en Gezin, regio Demostad", "verpleegkundige"},
		domain.SourceInloopteam:   {"Inloopteam Het Nestje", "medewerker"},
		domain.SourceOCMW:         {"Sociaal Huis Demostad", "maatschappelijk werker"},
		domain.SourceOtherReferer: {"CAW Demostad", "hulpverlener"},
	}
}

func referrerCategory() map[domain.ReferralSource]domain.RecipientCategory {
	return map[domain.ReferralSource]domain.RecipientCategory{
		domain.SourcePolice:       domain.RecipientPolice,
		domain.SourceCLB:          domain.RecipientCLB,
		domain.SourceSchool:       domain.RecipientSchool,
		domain.SourceKindEnGezin:  domain.RecipientKindEnGezin,
		domain.SourceInloopteam:   domain.RecipientOther,
		domain.SourceOCMW:         domain.RecipientOCMW,
		domain.SourceOtherReferer: domain.RecipientOther,
	}
}

// contactNotes are short Dutch notes per life domain, as a coach writes
// them after a visit or a call.
func contactNotes() map[domain.LifeDomain][]string {
	return map[domain.LifeDomain][]string{
		domain.DomainSafety:          {"Rustig verlopen, geen conflicten gemeld deze week.", "Mama vertelt over spanningen met ex-partner; veiligheidsplan overlopen.", "Afspraken rond opvang van de kinderen bij ruzie herhaald."},
		domain.DomainHousing:         {"Samen de keuken opgeruimd; afspraak volgende week voor de slaapkamer.", "Huisbaas gebeld over vochtprobleem, herstelling gepland.", "Woning is netter; afvalzakken meegenomen naar het containerpark."},
		domain.DomainParentsHealth:   {"Papa heeft afspraak bij de huisarts gemaakt.", "Mama slaapt slecht, we bekijken samen hulp van het CGG.", "Medicatie besproken, gaat beter."},
		domain.DomainWork:            {"Cv opgemaakt met papa, inschrijving bij VDAB gepland.", "Mama start volgende maand met een opleiding.", "Gesprek met trajectbegeleider over tewerkstelling."},
		domain.DomainIncome:          {"Aanvraag kinderbijslag (Groeipakket) nagekeken.", "Leefgeld besproken; weekbudget opgesteld.", "Samen naar het Sociaal Huis voor aanvullende steun."},
		domain.DomainDebts:           {"Brieven van deurwaarder samen geopend en gesorteerd.", "Afspraak schuldbemiddeling voorbereid.", "Afbetalingsplan energieleverancier aangevraagd."},
		domain.DomainSocialCapital:   {"Buurvrouw wil helpen met ophalen van de kinderen.", "Mama gaat mee naar het inloopteam op woensdag.", "Netwerkkaart gemaakt met het gezin."},
		domain.DomainCulturalCapital: {"Inschrijving taalles Nederlands geregeld.", "Samen de schoolbrief vertaald en besproken.", "Bibliotheekkaart aangevraagd voor de kinderen."},
		domain.DomainChildren:        {"Oudste gaat weer elke dag naar school.", "Oudercontact op school samen voorbereid.", "Jongste ingeschreven bij de kinderopvang.", "Kinderen vertellen trots over de sportclub."},
	}
}

func questionNotes() map[domain.LifeDomain]string {
	return map[domain.LifeDomain]string{
		domain.DomainSafety:          "We willen dat de ruzies thuis stoppen.",
		domain.DomainHousing:         "Kunnen jullie helpen om de woning op orde te krijgen?",
		domain.DomainParentsHealth:   "Ik wil terug goed kunnen slapen.",
		domain.DomainWork:            "Ik zou graag werk vinden.",
		domain.DomainIncome:          "We komen niet rond op het einde van de maand.",
		domain.DomainDebts:           "Ik krijg steeds brieven van de deurwaarder.",
		domain.DomainSocialCapital:   "Ik sta er helemaal alleen voor.",
		domain.DomainCulturalCapital: "Ik wil beter Nederlands leren.",
		domain.DomainChildren:        "Mijn zoon gaat niet graag naar school.",
	}
}

// spendKinds are maatbudget purchases with their usual range in cents and
// a fictitious supplier.
type spendKind struct {
	category string
	min, max int64
	supplier string
	note     string
}

func spendKinds() []spendKind {
	return []spendKind{
		{"cleaning_supplies", 2500, 8000, "Supermarkt Demostad", "Poetsmateriaal om samen de woning op te ruimen."},
		{"waste_container", 15000, 30000, "Containerverhuur Demo", "Container om de zolder leeg te maken."},
		{"pest_control", 12000, 25000, "Ongediertebestrijding Demo", "Bestrijding van kakkerlakken in de keuken."},
		{"furniture", 8000, 45000, "Kringwinkel Demostad", "Bedden voor de kinderen."},
		{"storage_boxes", 2000, 6000, "Brico Demostad", "Opbergdozen voor speelgoed en papieren."},
		{"paint", 4000, 12000, "Brico Demostad", "Verf zodat de huurwaarborg terugkomt."},
		{"washing_machine", 25000, 45000, "Kringwinkel Demostad", "Tweedehands wasmachine."},
		{"lice_shampoo", 1500, 3500, "Apotheek De Linde", "Luizenshampoo voor het hele gezin."},
		{"medicines", 1500, 6000, "Apotheek De Linde", "Medicatie die niet terugbetaald wordt."},
		{"glasses", 8000, 20000, "Optiek Demostad", "Bril voor de oudste dochter."},
		{"bike_repair", 2000, 6000, "Fietsherstel Velo", "Fiets hersteld om naar school te rijden."},
		{"clothes_and_shoes", 3000, 12000, "Kringwinkel Demostad", "Winterjassen en schoenen."},
		{"bus_pass", 3000, 6000, "De Lijn", "Busabonnement voor de opleiding."},
		{"infant_formula", 2000, 5000, "Apotheek De Linde", "Zuigelingenvoeding."},
		{"school_bills_and_supplies", 3000, 15000, "Basisschool De Regenboog", "Schoolfactuur en turnkledij."},
		{"sports_and_playground_fees", 4000, 12000, "Sportclub Demostad", "Lidgeld voetbal."},
	}
}

// delegatedKinds are delegated decisions of the coordinator.
type delegatedKind struct {
	category string
	min, max int64
	supplier string
}

func delegatedKinds() []delegatedKind {
	return []delegatedKind{
		{"energy_bill", 12000, 40000, "Energieleverancier Demo"},
		{"dentist_copayment", 5000, 15000, "Tandartspraktijk Demostad"},
		{"speech_therapy", 8000, 20000, "Logopedie Demostad"},
		{"school_meals", 5000, 12000, "Basisschool De Regenboog"},
		{"school_books", 4000, 10000, "Secundaire school Demostad"},
	}
}

// cebudHousehold, cebudAdult and cebudChild are the CEBUD items the demo
// registers for the household, each adult and each child.
func cebudHousehold() []string {
	return []string{"place_of_residence", "housing_affordability", "home_upkeep", "income", "debts", "food", "safety"}
}

func cebudAdult() []string {
	return []string{"social_safety_net", "budget_insight", "administration", "physical_health", "mental_health", "stress", "dutch", "employment", "education"}
}

func cebudChild() []string { return []string{"childcare", "school", "development", "health"} }
