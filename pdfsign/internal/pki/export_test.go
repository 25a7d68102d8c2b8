package pki

// For the external tests (package pdfsign_test, which may import the test
// helpers of internal/pdftest): the parts of the TSA client they check.
var (
	ParseTimeStampResp       = parseTimeStampResp
	AppendSignatureTimestamp = appendSignatureTimestamp
)
