package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoProviderNameInUI: what differs per provider comes from its
// ProviderInfo (capabilities, wording), never from a name or a sentence
// written in ui. Every string literal of every non-test file under ui/ is
// checked, so a new screen cannot bring a provider's wording back.
func TestNoProviderNameInUI(t *testing.T) {
	names := []string{"linode", "civo", "northflank", "superb", "flex"}
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			low := strings.ToLower(lit.Value)
			for _, name := range names {
				if strings.Contains(low, name) {
					t.Errorf("%s: %s names a provider; take it from ProviderInfo", fset.Position(lit.Pos()), lit.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files read under ui/", files)
	}
}
