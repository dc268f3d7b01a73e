package diag

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unsafeRune is what must not reach a terminal as itself: C0 and C1
// controls (ESC, CSI U+009B) and format characters (the bidi overrides
// U+202E and friends, which reorder what a person reads).
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// printable drops what unsafeRune names: what is shown came partly from
// outside (the API server, DNS, a console file given to explain).
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return -1
		}
		return r
	}, s)
}

// Printable is s fit for a terminal, for callers outside diag that print a
// name they were given (a path in an error).
func Printable(s string) string { return printable(s) }

// printableCopy is v with every string in it made printable, once, before
// a text writer reads any field: no field can be forgotten.
func printableCopy[T any](v T) T {
	out := reflect.New(reflect.TypeOf(&v).Elem()).Elem()
	cleanValue(out, reflect.ValueOf(v))
	return out.Interface().(T)
}

func cleanValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(printable(src.String()))
	case reflect.Struct:
		dst.Set(src) // what is unexported (a time's) stays as it is
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() {
				cleanValue(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := 0; i < src.Len(); i++ {
			cleanValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeMapWithSize(src.Type(), src.Len()))
		for it := src.MapRange(); it.Next(); {
			k, v := reflect.New(src.Type().Key()).Elem(), reflect.New(src.Type().Elem()).Elem()
			cleanValue(k, it.Key())
			cleanValue(v, it.Value())
			dst.SetMapIndex(k, v)
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		cleanValue(p.Elem(), src.Elem())
		dst.Set(p)
	default:
		dst.Set(src)
	}
}

// jsonSafe escapes, inside encoded JSON, what encoding/json leaves raw and
// a terminal would act on (C1 controls, bidi overrides): the data stays
// whole for a script, and a person paging it sees \u escapes. Such runes
// can only stand inside JSON strings, so escaping them keeps it valid.
func jsonSafe(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= utf8.RuneSelf && unsafeRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= utf8.RuneSelf && unsafeRune(r) {
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		} else {
			out.Write(b[:n])
		}
		b = b[n:]
	}
	return out.Bytes()
}
