package verify

// For the tests of package verify_test (which sign their own documents with
// pdfsign/sign, and so cannot be in package verify).

func (rep *Report) Sanitize() { rep.sanitize() }

var NotAllowedReason = notAllowedReason
