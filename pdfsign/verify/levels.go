package verify

import (
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
)

// Levels and document timestamps, decided once every signature is known:
// a document timestamp is shown with its own time and TSA, and a B-LT
// signature becomes B-LTA when a valid document timestamp covers a revision
// that holds the DSS (ETSI EN 319 142-1, 5.6).

func finishLevels(r *pdf.Reader, rep *Report) {
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.Type != "timestamp" || s.cms == nil {
			continue
		}
		if info, err := cms.ParseTSTInfo(s.cms.EContent); err == nil {
			s.TimestampTime = info.GenTime
			if s.SigningTime.IsZero() {
				s.SigningTime = info.GenTime
			}
		}
	}
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.Level != "B-LT" || !s.Valid {
			continue
		}
		end := lastEnd(s.ByteRange)
		for j := range rep.Signatures {
			t := &rep.Signatures[j]
			te := lastEnd(t.ByteRange)
			if t.Type != "timestamp" || !t.Valid || te <= end {
				continue
			}
			if cat := r.StateBefore(te).Catalog(); cat != nil && cat.Has("DSS") {
				s.Level = "B-LTA"
				s.ArchiveTimestamps = append(s.ArchiveTimestamps, ArchiveTimestamp{Field: t.Field, Time: t.TimestampTime, TSA: t.SignerCN})
			}
		}
	}
	for i := range rep.Signatures {
		rep.Signatures[i].Answer = rep.Signatures[i].Verdict()
	}
	rep.Level = documentLevel(rep)
}

var levelRank = map[string]int{"B-B": 1, "B-T": 2, "B-LT": 3, "B-LTA": 4}

func documentLevel(rep *Report) string {
	level := ""
	for _, s := range rep.Signatures {
		if s.Type != "signature" {
			continue
		}
		r, ok := levelRank[s.Level]
		if !ok {
			return ""
		}
		if level == "" || r < levelRank[level] {
			level = s.Level
		}
	}
	return level
}

// ArchiveTimestamp is a document timestamp over a signature (B-LTA).
type ArchiveTimestamp struct {
	Field string    `json:"field"`
	Time  time.Time `json:"time,omitzero"`
	TSA   string    `json:"tsa"`
}
