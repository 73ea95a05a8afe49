package web

// addVocabulary adds the labels of the domain's codes (event types, spend
// categories, recipients, data categories, purposes, record kinds) to t.
func addVocabulary(t texts) {
	for k, v := range map[string][2]string{
		"member.parent": {"ouder", "parent"}, "member.child": {"kind", "child"}, "member.other_adult": {"andere volwassene", "other adult"},

		"ev.FamilyReferred": {"Aanmelding", "Referral"}, "ev.WaitingListEntered": {"Op de wachtlijst", "Waiting list entered"},
		"ev.WaitingListLeft": {"Van de wachtlijst", "Waiting list left"}, "ev.IntakeHeld": {"Intakegesprek", "Intake held"},
		"ev.GuidanceStarted": {"Begeleiding gestart", "Guidance started"}, "ev.CoachAssigned": {"Gezinscoach toegewezen", "Coach assigned"},
		"ev.CoverArranged": {"Vervanging geregeld", "Cover arranged"}, "ev.CoverEnded": {"Vervanging beëindigd", "Cover ended"},
		"ev.CoachChangeRequested": {"Vraag naar andere coach", "Coach change requested"}, "ev.CoachChangeHandled": {"Vraag naar andere coach behandeld", "Coach change handled"},
		"ev.CaseClosed": {"Traject afgesloten", "Case closed"}, "ev.CaseReopened": {"Traject heropend", "Case reopened"},
		"ev.PoliceFileClosed": {"Politiedossier op af", "Police file closed"}, "ev.PoliceFileReopened": {"Politiedossier op in", "Police file reopened"},
		"ev.MemberAdded": {"Gezinslid toegevoegd", "Member added"}, "ev.MemberCorrected": {"Gezinslid gecorrigeerd", "Member corrected"},
		"ev.MemberLeft": {"Gezinslid vertrokken", "Member left"}, "ev.ProfessionalAdded": {"Professional toegevoegd", "Professional added"},
		"ev.ProfessionalRemoved": {"Professional niet meer betrokken", "Professional removed"}, "ev.ContactLogged": {"Contact", "Contact"},
		"ev.ContactCorrected": {"Contact gecorrigeerd", "Contact corrected"}, "ev.QuestionRaised": {"Hulpvraag", "Question raised"},
		"ev.QuestionAnswered": {"Hulpvraag beantwoord", "Question answered"}, "ev.AssessmentRegistered": {"Leefsituatie gescoord", "Assessment registered"},
		"ev.ConsentGiven": {"Toestemming gegeven", "Consent given"}, "ev.ConsentRefused": {"Toestemming geweigerd", "Consent refused"},
		"ev.ConsentWithdrawn": {"Toestemming ingetrokken", "Consent withdrawn"}, "ev.ConsentExpired": {"Toestemming verlopen", "Consent expired"},
		"ev.DisclosureMade": {"Verstrekking", "Disclosure"}, "ev.FamilyInformed": {"Gezin geïnformeerd", "Family informed"},
		"ev.ConfidentialityLifted": {"Vertrouwelijkheid opgeheven", "Confidentiality lifted"}, "ev.InfoRequestReceived": {"Vraag om informatie", "Information request"},
		"ev.InfoRequestAnswered": {"Vraag om informatie beantwoord", "Information request answered"}, "ev.InfoRequestRefused": {"Vraag om informatie geweigerd", "Information request refused"},
		"ev.ParketInformed": {"Parket geïnformeerd", "Parket informed"}, "ev.ParketStatusRequested": {"Stand van zaken gevraagd", "Status requested"},
		"ev.ParketStatusReported": {"Stand van zaken bezorgd", "Status reported"}, "ev.ParketWorryReported": {"Verontrusting gemeld", "Worry reported"},
		"ev.ReferredToOCJ": {"Doorverwezen naar OCJ", "Referred to the OCJ"}, "ev.YouthCourtInvolved": {"Jeugdrechter betrokken", "Youth court involved"},
		"ev.ParketClosed": {"Parket sloot het dossier", "Parket closed"}, "ev.PoliceFactsRecorded": {"Politiefeiten", "Police facts"},
		"ev.BudgetAllocated": {"Maatbudget toegekend", "Budget allocated"}, "ev.SpendProposed": {"Uitgave voorgesteld", "Spend proposed"},
		"ev.SpendDecided": {"Uitgave beslist", "Spend decided"}, "ev.SpendRecorded": {"Uitgave", "Spend"},
		"ev.SpendReviewed": {"Uitgave besproken", "Spend reviewed"}, "ev.SpendReversed": {"Uitgave teruggedraaid", "Spend reversed"},
		"ev.OverspendApproved": {"Overschrijding goedgekeurd", "Overspend approved"}, "ev.CostAvoidanceRecorded": {"Vermeden kosten", "Cost avoidance"},
		"ev.RetentionSet": {"Bewaartermijn", "Retention set"}, "ev.LegalHoldSet": {"Juridische blokkering", "Legal hold set"},
		"ev.LegalHoldLifted": {"Blokkering opgeheven", "Legal hold lifted"}, "ev.FamilyErased": {"Persoonsgegevens gewist", "Personal data erased"},

		"funding.maatbudget": {"Maatbudget", "Maatbudget"}, "funding.bcsd_delegated": {"Gedelegeerd (BCSD)", "Delegated (BCSD)"},

		"rcat.police": {"politie", "police"}, "rcat.parket": {"parket", "parket"}, "rcat.ocj": {"OCJ", "OCJ"}, "rcat.youth_court": {"jeugdrechtbank", "youth court"},
		"rcat.clb": {"CLB", "CLB"}, "rcat.school": {"school", "school"}, "rcat.kind_en_gezin": {"Kind & Gezin", "Kind & Gezin"}, "rcat.ocmw": {"OCMW", "OCMW"},
		"rcat.debt_mediation": {"schuldbemiddeling", "debt mediation"}, "rcat.health": {"gezondheidszorg", "health care"}, "rcat.housing": {"huisvesting", "housing"},
		"rcat.youth_care": {"jeugdhulp", "youth care"}, "rcat.supplier": {"leverancier", "supplier"}, "rcat.other": {"andere", "other"},

		"dcat.identity": {"identiteit", "identity"}, "dcat.contact_details": {"contactgegevens", "contact details"}, "dcat.family_composition": {"gezinssamenstelling", "family composition"},
		"dcat.health": {"gezondheid", "health"}, "dcat.mental_health": {"psychische gezondheid", "mental health"}, "dcat.income": {"inkomen", "income"},
		"dcat.debts": {"schulden", "debts"}, "dcat.housing": {"wonen", "housing"}, "dcat.school": {"school", "school"}, "dcat.childcare": {"kinderopvang", "childcare"},
		"dcat.work": {"werk", "work"}, "dcat.safety": {"veiligheid", "safety"}, "dcat.police_justice": {"politie en justitie", "police and justice"},
		"dcat.youth_care": {"jeugdhulp", "youth care"}, "dcat.guidance_progress": {"verloop begeleiding", "guidance progress"},
		"dcat.assessments": {"leefsituatie", "assessments"}, "dcat.child_statements": {"uitspraken van een kind", "a child's statements"}, "dcat.aid_received": {"ontvangen steun", "aid received"},

		"purpose.referral": {"doorverwijzing", "referral"}, "purpose.care_coordination": {"afstemming hulp", "care coordination"},
		"purpose.debt_mediation": {"schuldbemiddeling", "debt mediation"}, "purpose.housing": {"huisvesting", "housing"}, "purpose.health": {"gezondheid", "health"},
		"purpose.school": {"school", "school"}, "purpose.childcare": {"kinderopvang", "childcare"}, "purpose.income_support": {"inkomenssteun", "income support"},
		"purpose.child_safety": {"veiligheid van het kind", "child safety"}, "purpose.parket_status": {"stand van zaken parket", "parket status"},
		"purpose.handover": {"overdracht", "handover"}, "purpose.aid_payment": {"betaling steun", "aid payment"}, "purpose.guidance": {"begeleiding", "guidance"},
		"purpose.cover": {"vervanging", "cover"}, "purpose.team_review": {"teambespreking", "team review"}, "purpose.audit": {"controle", "audit"},
		"purpose.access_request": {"inzageverzoek", "access request"}, "purpose.other": {"andere", "other"},

		"record.referral": {"aanmelding", "referral"}, "record.waiting_list": {"wachtlijst", "waiting list"}, "record.intake": {"intake", "intake"},
		"record.guidance": {"begeleiding", "guidance"}, "record.coach_and_cover": {"gezinscoach en vervanging", "coach and cover"}, "record.closure": {"afsluiting", "closure"},
		"record.police_file": {"politiedossier", "police file"}, "record.members": {"gezinsleden", "members"}, "record.professionals": {"betrokken professionals", "professionals"},
		"record.contacts": {"contacten en notities", "contacts and notes"}, "record.questions": {"hulpvragen", "questions"}, "record.assessments": {"leefsituatie", "assessments"},
		"record.consents": {"toestemmingen", "consents"}, "record.disclosures": {"verstrekkingen", "disclosures"}, "record.information_requests": {"vragen om informatie", "information requests"},
		"record.parket": {"parket", "parket"}, "record.police_facts": {"politiefeiten", "police facts"}, "record.budget": {"maatbudget", "budget"},
		"record.cost_avoidance": {"vermeden kosten", "cost avoidance"}, "record.retention": {"bewaartermijn", "retention"}, "record.erasure": {"wissen", "erasure"},

		"spendcat.cleaning_supplies": {"schoonmaakproducten", "cleaning supplies"}, "spendcat.waste_container": {"afvalcontainer", "waste container"},
		"spendcat.recycling_park": {"containerpark", "recycling park"}, "spendcat.pest_control": {"ongediertebestrijding", "pest control"},
		"spendcat.furniture": {"meubels", "furniture"}, "spendcat.storage_boxes": {"opbergdozen", "storage boxes"}, "spendcat.moving_van": {"verhuiswagen", "moving van"},
		"spendcat.paint": {"verf", "paint"}, "spendcat.washing_machine": {"wasmachine", "washing machine"}, "spendcat.reduced_mobility_transport": {"minder mobielen vervoer", "reduced-mobility transport"},
		"spendcat.lice_shampoo": {"luizenshampoo", "lice shampoo"}, "spendcat.medicines": {"geneesmiddelen", "medicines"}, "spendcat.dentist_copayment": {"remgeld tandarts", "dentist co-payment"},
		"spendcat.ambulance": {"ambulance", "ambulance"}, "spendcat.toothbrushes": {"tandenborstels", "toothbrushes"}, "spendcat.glasses": {"bril", "glasses"},
		"spendcat.breast_pump": {"borstkolf", "breast pump"}, "spendcat.bike_repair": {"fietsherstelling", "bike repair"}, "spendcat.clothes_and_shoes": {"kleren en schoenen", "clothes and shoes"},
		"spendcat.bus_pass": {"busabonnement", "bus pass"}, "spendcat.infant_formula": {"flesvoeding", "infant formula"}, "spendcat.school_bills_and_supplies": {"schoolrekening en -gerief", "school bills and supplies"},
		"spendcat.sports_and_playground_fees": {"sportclub en speelpleinwerking", "sports and playground fees"}, "spendcat.energy_bill": {"energiefactuur", "energy bill"},
		"spendcat.orthodontist": {"orthodontist", "orthodontist"}, "spendcat.speech_therapy": {"logopedie", "speech therapy"},
		"spendcat.developmental_assessment": {"ontwikkelingsonderzoek", "developmental assessment"}, "spendcat.school_meals": {"warme maaltijden school", "school meals"},
		"spendcat.school_books": {"schoolboeken", "school books"}, "spendcat.other": {"andere", "other"},
	} {
		t[k] = v
	}
}
