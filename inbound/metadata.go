package inbound

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// A form's private_metadata says what its submission acts on: which
// promise, which message to rewrite, which response_url to answer. Slack
// sends it back as the form had it, but a crafted submission could carry
// anything, so Kept signs it for the user it opened the form for and for
// the form (its callback_id), and a submission whose metadata is not
// signed for its submitter and its form changes nothing: metadata lifted
// from one form (an edit of #5) cannot be submitted as another (a snooze
// of #5). The record it names is still checked against the submitter.

// errStaleForm is the refusal for metadata Kept did not sign for this
// user and this form: a forged submission, or a form opened before the
// key changed.
var errStaleForm = errors.New("inbound: form metadata not signed for its submitter")

// staleFormText is what the submitter reads then.
const staleFormText = "This form is out of date. Please close it and open it again."

// metaKey derives the signing key from secret (the bot token, which only
// Kept has): stable across restarts, so a form opened before one still
// submits after it. Without a secret the key is random, for this process.
func metaKey(secret string) []byte {
	if secret == "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		return key
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("kept private_metadata v1"))
	return m.Sum(nil)
}

// sealMeta writes v as private_metadata signed for user and the form
// whose callback_id is form: JSON, a dot, and the MAC of the user, the
// form and the JSON.
func (b *Bot) sealMeta(user, form string, v any) string {
	data, _ := json.Marshal(v)
	return string(data) + "." + b.metaMAC(user, form, data)
}

// openMeta reads into v the metadata sealMeta wrote for user and form.
func (b *Bot) openMeta(user, form, meta string, v any) error {
	i := strings.LastIndexByte(meta, '.')
	if i < 0 {
		return errStaleForm
	}
	data, mac := []byte(meta[:i]), meta[i+1:]
	if !hmac.Equal([]byte(mac), []byte(b.metaMAC(user, form, data))) {
		return errStaleForm
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errStaleForm
	}
	return nil
}

func (b *Bot) metaMAC(user, form string, data []byte) string {
	m := hmac.New(sha256.New, b.metaKey)
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(form))
	m.Write([]byte{0})
	m.Write(data)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
