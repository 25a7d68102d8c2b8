// Package pdf is the PDF layer under pdfsign: the object model
// (object.go), the parser (parse.go), a reader that follows the
// cross-reference chain (xref.go) and fetches single objects on demand
// (reader.go, stream.go) so that memory does not grow with the file, and the
// incremental writer (increment.go, serialize.go) that appends new and
// rewritten objects with an xref section of the input's kind. Its errors are
// *ReadError (errors.go); pdfsign turns them into its own.
package pdf
