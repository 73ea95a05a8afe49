package storetest

// testShredding: crypto-shredding through store.Sealer and Instance.Keys.
func testShredding(h *harness) {
	if h.inst.Keys == nil {
		h.t.Skip("Instance.Keys is nil: this backend has no key store wired, so crypto-shredding is not tested")
	}
	h.t.Skip("shredding checks are being written")
}
