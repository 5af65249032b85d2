//! Cryptographic primitives behind the spec's algorithms, key decodings and signature encodings.
//! Comparisons are constant-time; no function here logs or returns key material in errors.

use std::borrow::Cow;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use ed25519_dalek::{Signer as _, SigningKey as EdSigningKey, VerifyingKey as EdVerifyingKey};
use hmac::{Hmac, Mac};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::signature::{SignatureEncoding as _, Verifier as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::plan::Key;
use crate::spec::{Algorithm, KeyEncoding, SigEncoding};

/// A decoded verification key (HMAC keys borrow the secret's text when used as-is).
pub enum VerifyKey<'k> {
    /// HMAC key bytes.
    Mac(Cow<'k, [u8]>),
    /// Plain digests use no key (the secret is a message part).
    None,
    Rsa(Box<RsaPublicKey>),
    /// Boxed: the key is about 200 bytes, and every verification moves a list of keys.
    Ed25519(Box<EdVerifyingKey>),
}

/// A decoded signing key.
pub enum SignKey {
    Mac(Vec<u8>),
    None,
    Rsa(Box<RsaPrivateKey>),
    Ed25519(Box<EdSigningKey>),
}

/// The secret's text after the spec's prefix rule; `None` when the prefix is required and absent.
pub fn key_text<'a>(spec: &Key, text: &'a str) -> Option<&'a str> {
    match &spec.prefix {
        Some(p) => match text.strip_prefix(p.as_str()) {
            Some(rest) => Some(rest),
            None if spec.prefix_required => None,
            None => Some(text),
        },
        None => Some(text),
    }
}

fn key_bytes(encoding: KeyEncoding, text: &str) -> Result<Cow<'_, [u8]>, String> {
    match encoding {
        KeyEncoding::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
        KeyEncoding::Hex => decode_hex(text.trim())
            .map(Cow::Owned)
            .ok_or_else(|| "key is not hex".to_string()),
        KeyEncoding::Base64 => STANDARD
            .decode(text.trim())
            .map(Cow::Owned)
            .map_err(|_| "key is not base64".to_string()),
        KeyEncoding::Sha1 => Ok(Cow::Owned(Sha1::digest(text.as_bytes()).to_vec())),
        KeyEncoding::Pem => Err("a PEM key is not usable with this algorithm".into()),
    }
}

/// Decodes a verification key for an algorithm.
pub fn verify_key(
    alg: Algorithm,
    encoding: KeyEncoding,
    text: &str,
) -> Result<VerifyKey<'_>, String> {
    match alg {
        Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512 => {
            let k = key_bytes(encoding, text)?;
            if k.is_empty() {
                return Err("key is empty".into());
            }
            Ok(VerifyKey::Mac(k))
        }
        Algorithm::Sha256 | Algorithm::Sha512 | Algorithm::Md5 | Algorithm::Token => {
            Ok(VerifyKey::None)
        }
        Algorithm::RsaPkcs1v15Sha256 => rsa_public(text).map(|k| VerifyKey::Rsa(Box::new(k))),
        Algorithm::Ed25519 => {
            if encoding == KeyEncoding::Pem {
                return EdVerifyingKey::from_public_key_pem(text.trim())
                    .map(|k| VerifyKey::Ed25519(Box::new(k)))
                    .map_err(|_| "not an Ed25519 public key PEM".into());
            }
            let b = key_bytes(encoding, text)?;
            let arr: [u8; 32] = b
                .as_ref()
                .try_into()
                .map_err(|_| "an Ed25519 public key has 32 bytes".to_string())?;
            EdVerifyingKey::from_bytes(&arr)
                .map(|k| VerifyKey::Ed25519(Box::new(k)))
                .map_err(|_| "not a valid Ed25519 public key".into())
        }
    }
}

/// Decodes a signing key for an algorithm.
pub fn sign_key(alg: Algorithm, encoding: KeyEncoding, text: &str) -> Result<SignKey, String> {
    match alg {
        Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512 => {
            match verify_key(alg, encoding, text)? {
                VerifyKey::Mac(k) => Ok(SignKey::Mac(k.into_owned())),
                _ => Err("not an HMAC key".into()),
            }
        }
        Algorithm::Sha256 | Algorithm::Sha512 | Algorithm::Md5 | Algorithm::Token => {
            Ok(SignKey::None)
        }
        Algorithm::RsaPkcs1v15Sha256 => {
            let t = text.trim();
            RsaPrivateKey::from_pkcs8_pem(t)
                .or_else(|_| RsaPrivateKey::from_pkcs1_pem(t))
                .map(|k| SignKey::Rsa(Box::new(k)))
                .map_err(|_| "not an RSA private key PEM".into())
        }
        Algorithm::Ed25519 => {
            if encoding == KeyEncoding::Pem {
                return EdSigningKey::from_pkcs8_pem(text.trim())
                    .map(|k| SignKey::Ed25519(Box::new(k)))
                    .map_err(|_| "not an Ed25519 private key PEM".into());
            }
            let b = key_bytes(encoding, text)?;
            let key = match b.len() {
                32 => EdSigningKey::from_bytes(b.as_ref().try_into().expect("32 bytes")),
                64 => EdSigningKey::from_keypair_bytes(b.as_ref().try_into().expect("64 bytes"))
                    .map_err(|_| "the Ed25519 key pair is inconsistent".to_string())?,
                _ => return Err("an Ed25519 secret key has 32 or 64 bytes".into()),
            };
            Ok(SignKey::Ed25519(Box::new(key)))
        }
    }
}

fn rsa_public(text: &str) -> Result<RsaPublicKey, String> {
    use x509_cert::der::{DecodePem as _, Encode as _};
    let t = text.trim();
    if t.contains("BEGIN CERTIFICATE") {
        let cert = x509_cert::Certificate::from_pem(t).map_err(|_| "not a PEM certificate")?;
        let der = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| "unreadable certificate key")?;
        return RsaPublicKey::from_public_key_der(&der)
            .map_err(|_| "the certificate's key is not RSA".into());
    }
    RsaPublicKey::from_public_key_pem(t)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(t))
        .map_err(|_| "not a PEM certificate or RSA public key".into())
}

/// A MAC or digest value (at most 64 bytes), kept on the stack.
#[derive(Clone, Copy)]
pub struct Tag {
    buf: [u8; 64],
    len: usize,
}

impl Tag {
    fn new(bytes: &[u8]) -> Tag {
        let mut buf = [0u8; 64];
        buf[..bytes.len()].copy_from_slice(bytes);
        Tag {
            buf,
            len: bytes.len(),
        }
    }
}

impl std::ops::Deref for Tag {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The MAC or digest of a message given as parts (HMAC and plain digests only).
pub fn mac<P: AsRef<[u8]>>(alg: Algorithm, key: &[u8], parts: &[P]) -> Tag {
    fn run<M: Mac + hmac::digest::KeyInit, P: AsRef<[u8]>>(key: &[u8], parts: &[P]) -> Tag {
        let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        for p in parts {
            m.update(p.as_ref());
        }
        Tag::new(&m.finalize().into_bytes())
    }
    fn digest<D: Digest, P: AsRef<[u8]>>(parts: &[P]) -> Tag {
        let mut d = D::new();
        for p in parts {
            d.update(p.as_ref());
        }
        Tag::new(&d.finalize())
    }
    match alg {
        Algorithm::HmacSha1 => run::<Hmac<Sha1>, P>(key, parts),
        Algorithm::HmacSha256 => run::<Hmac<Sha256>, P>(key, parts),
        Algorithm::HmacSha512 => run::<Hmac<Sha512>, P>(key, parts),
        Algorithm::Sha256 => digest::<Sha256, P>(parts),
        Algorithm::Sha512 => digest::<Sha512, P>(parts),
        Algorithm::Md5 => digest::<md5::Md5, P>(parts),
        Algorithm::RsaPkcs1v15Sha256 | Algorithm::Ed25519 => {
            unreachable!("asymmetric algorithms are not MACs")
        }
        // A token is compared as a whole (`token_matches`), never as a MAC; its digest stands in
        // wherever a fixed-size value of it is wanted.
        Algorithm::Token => digest::<Sha256, P>(parts),
    }
}

/// Whether an algorithm is a MAC or digest (compared by recomputation).
pub fn is_symmetric(alg: Algorithm) -> bool {
    !matches!(alg, Algorithm::RsaPkcs1v15Sha256 | Algorithm::Ed25519)
}

/// Encodes signature bytes as the spec says they are written.
pub fn encode_sig(enc: SigEncoding, bytes: &[u8]) -> String {
    match enc {
        SigEncoding::Hex | SigEncoding::HexAnyCase => hex_lower(bytes),
        SigEncoding::HexUpper => hex_lower(bytes).to_ascii_uppercase(),
        SigEncoding::Base64 => STANDARD.encode(bytes),
        SigEncoding::Base64url => URL_SAFE_NO_PAD.encode(bytes),
        SigEncoding::HexBase64 => STANDARD.encode(hex_lower(bytes)),
        SigEncoding::Text => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Constant-time check that a received token equals the expected one (the SHA-256 digests of
/// both are compared, so neither the length nor a prefix of the token leaks through timing).
pub fn token_matches(expected: &[u8], candidate: &str) -> bool {
    let a = Sha256::digest(expected);
    let b = Sha256::digest(candidate.as_bytes());
    !expected.is_empty() && bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// Constant-time check that `candidate` is the encoding of `expected`, compared as text exactly
/// as the processors' SDKs compare (case-sensitive hex, padded base64). `expected` is at most
/// 64 bytes (a MAC or digest); base64 encodings are built on the stack, hex is compared digit by
/// digit as it is made.
pub fn encoded_matches(enc: SigEncoding, expected: &[u8], candidate: &str) -> bool {
    let mut buf: [u8; 128];
    let wide: [u8; 176];
    let want: &[u8] = match enc {
        SigEncoding::Hex => return hex_matches(expected, candidate, LOWER_HEX, false),
        SigEncoding::HexUpper => {
            return hex_matches(expected, candidate, b"0123456789ABCDEF", false)
        }
        SigEncoding::HexAnyCase => return hex_matches(expected, candidate, LOWER_HEX, true),
        SigEncoding::Base64 => {
            buf = [0u8; 128];
            match STANDARD.encode_slice(expected, &mut buf) {
                Ok(n) => &buf[..n],
                Err(_) => return false,
            }
        }
        SigEncoding::Base64url => {
            buf = [0u8; 128];
            match URL_SAFE_NO_PAD.encode_slice(expected, &mut buf) {
                Ok(n) => &buf[..n],
                Err(_) => return false,
            }
        }
        SigEncoding::HexBase64 => {
            if expected.len() > 64 {
                return false;
            }
            buf = [0u8; 128];
            for (i, b) in expected.iter().enumerate() {
                buf[2 * i] = LOWER_HEX[usize::from(b >> 4)];
                buf[2 * i + 1] = LOWER_HEX[usize::from(b & 15)];
            }
            let mut out = [0u8; 176];
            let n = match STANDARD.encode_slice(&buf[..expected.len() * 2], &mut out) {
                Ok(n) => n,
                Err(_) => return false,
            };
            wide = out;
            &wide[..n]
        }
        SigEncoding::Text => return token_matches(expected, candidate),
    };
    match enc {
        SigEncoding::Base64url => same_bytes(want, candidate.trim_end_matches('=').as_bytes()),
        _ => same_bytes(want, candidate.as_bytes()),
    }
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// Constant-time check that `candidate` is `expected` in hex written with `digits` (with
/// `any_case`, the candidate's letters count in either case): each pair of digits is compared
/// with the byte's, the differences are OR-ed together, and only the total decides.
fn hex_matches(expected: &[u8], candidate: &str, digits: &[u8; 16], any_case: bool) -> bool {
    let cand = candidate.as_bytes();
    if cand.len() != expected.len() * 2 {
        return false;
    }
    let mut diff = 0u8;
    for (b, pair) in expected.iter().zip(cand.chunks_exact(2)) {
        let (mut hi, mut lo) = (pair[0], pair[1]);
        if any_case {
            hi = hi.to_ascii_lowercase();
            lo = lo.to_ascii_lowercase();
        }
        diff |= (digits[usize::from(b >> 4)] ^ hi) | (digits[usize::from(b & 15)] ^ lo);
    }
    bool::from(diff.ct_eq(&0))
}

/// Constant-time equality of `want` and `given`: every byte is compared, the differences are
/// OR-ed together, and only the total decides. Lengths are public (an encoding's length is), so
/// a length mismatch returns at once.
fn same_bytes(want: &[u8], given: &[u8]) -> bool {
    if want.len() != given.len() {
        return false;
    }
    let mut diff = 0u8;
    for (a, b) in want.iter().zip(given) {
        diff |= a ^ b;
    }
    bool::from(diff.ct_eq(&0))
}

/// Decodes a candidate signature's bytes (for asymmetric verification).
pub fn decode_sig(enc: SigEncoding, candidate: &str) -> Option<Vec<u8>> {
    match enc {
        SigEncoding::Hex => (candidate.bytes().all(|b| !b.is_ascii_uppercase()))
            .then(|| decode_hex(candidate))
            .flatten(),
        SigEncoding::HexUpper => (candidate.bytes().all(|b| !b.is_ascii_lowercase()))
            .then(|| decode_hex(candidate))
            .flatten(),
        SigEncoding::HexAnyCase => decode_hex(candidate),
        SigEncoding::Base64 => STANDARD.decode(candidate).ok(),
        SigEncoding::Base64url => URL_SAFE_NO_PAD.decode(candidate.trim_end_matches('=')).ok(),
        SigEncoding::HexBase64 => STANDARD
            .decode(candidate)
            .ok()
            .and_then(|t| String::from_utf8(t).ok())
            .filter(|t| t.bytes().all(|b| !b.is_ascii_uppercase()))
            .and_then(|t| decode_hex(&t)),
        SigEncoding::Text => Some(candidate.as_bytes().to_vec()),
    }
}

/// Verifies an asymmetric signature over a message.
pub fn verify_asym(key: &VerifyKey, message: &[u8], sig: &[u8]) -> bool {
    match key {
        VerifyKey::Rsa(k) => {
            let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new((**k).clone());
            match rsa::pkcs1v15::Signature::try_from(sig) {
                Ok(s) => vk.verify(message, &s).is_ok(),
                Err(_) => false,
            }
        }
        VerifyKey::Ed25519(k) => match ed25519_dalek::Signature::from_slice(sig) {
            Ok(s) => k.verify_strict(message, &s).is_ok(),
            Err(_) => false,
        },
        VerifyKey::Mac(_) | VerifyKey::None => false,
    }
}

/// Signs a message (any algorithm).
pub fn sign(alg: Algorithm, key: &SignKey, message: &[u8]) -> Result<Vec<u8>, String> {
    match key {
        SignKey::Mac(k) => Ok(mac(alg, k, &[message]).to_vec()),
        SignKey::None if alg == Algorithm::Token => Ok(message.to_vec()),
        SignKey::None => Ok(mac(alg, &[], &[message]).to_vec()),
        SignKey::Rsa(k) => {
            let sk = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
            sk.try_sign(message)
                .map(|s| s.to_vec())
                .map_err(|_| "RSA signing failed".into())
        }
        SignKey::Ed25519(k) => Ok(k.sign(message).to_bytes().to_vec()),
    }
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Decodes hex in either case.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    fn nib(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

/// Lower-case hex SHA-256.
pub fn sha256_hex<P: AsRef<[u8]>>(parts: &[P]) -> String {
    hex_lower(&mac(Algorithm::Sha256, &[], parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_known_answer() {
        // RFC 4231 test case 2.
        let out = mac(
            Algorithm::HmacSha256,
            b"Jefe",
            &[&b"what do ya want "[..], &b"for nothing?"[..]],
        );
        assert_eq!(
            hex_lower(&out),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn md5_plain_digest_known_answer() {
        // RFC 1321 test suite: MD5("message digest"), fed in two parts.
        let out = mac(Algorithm::Md5, b"", &[&b"message "[..], &b"digest"[..]]);
        assert_eq!(hex_lower(&out), "f96b697d7cb7938d525a2f31aaf161d0");
        assert_eq!(out.len(), 16);
        assert!(matches!(
            verify_key(Algorithm::Md5, KeyEncoding::Utf8, "any"),
            Ok(VerifyKey::None)
        ));
    }

    #[test]
    fn hex_comparison_is_case_sensitive_unless_asked() {
        let sig = [0xABu8, 0xCD];
        assert!(encoded_matches(SigEncoding::Hex, &sig, "abcd"));
        assert!(!encoded_matches(SigEncoding::Hex, &sig, "ABCD"));
        assert!(encoded_matches(SigEncoding::HexUpper, &sig, "ABCD"));
        assert!(encoded_matches(SigEncoding::HexAnyCase, &sig, "AbCd"));
        assert!(!encoded_matches(SigEncoding::Hex, &sig, "abc"));
    }

    #[test]
    fn a_difference_in_any_one_byte_fails_every_encoding() {
        let sig: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37)).collect();
        for enc in [
            SigEncoding::Hex,
            SigEncoding::HexUpper,
            SigEncoding::HexAnyCase,
            SigEncoding::Base64,
            SigEncoding::Base64url,
            SigEncoding::HexBase64,
        ] {
            let good = encode_sig(enc, &sig);
            assert!(encoded_matches(enc, &sig, &good), "{enc:?}");
            for i in 0..good.len() {
                let mut bad = good.clone().into_bytes();
                // Another character of the same alphabet, so only the value differs.
                bad[i] = match bad[i] {
                    b'0' => b'1',
                    b'=' => continue,
                    _ => b'0',
                };
                let bad = String::from_utf8(bad).unwrap();
                assert!(!encoded_matches(enc, &sig, &bad), "{enc:?} byte {i}");
            }
        }
    }

    #[test]
    fn hex_base64_is_base64_of_the_lower_case_hex_text() {
        let sig = [0xABu8, 0xCD];
        // base64("abcd") = "YWJjZA=="; base64("ABCD") = "QUJDRA==".
        assert_eq!(encode_sig(SigEncoding::HexBase64, &sig), "YWJjZA==");
        assert!(encoded_matches(SigEncoding::HexBase64, &sig, "YWJjZA=="));
        assert!(!encoded_matches(SigEncoding::HexBase64, &sig, "QUJDRA=="));
        assert!(!encoded_matches(SigEncoding::HexBase64, &sig, "YWJjZA"));
        assert!(!encoded_matches(SigEncoding::HexBase64, &sig, "q80="));
        assert_eq!(
            decode_sig(SigEncoding::HexBase64, "YWJjZA=="),
            Some(sig.to_vec())
        );
        // A 64-byte digest (SHA-512) fits.
        let long = [0x5Au8; 64];
        let text = encode_sig(SigEncoding::HexBase64, &long);
        assert_eq!(text.len(), 172);
        assert!(encoded_matches(SigEncoding::HexBase64, &long, &text));
    }

    #[test]
    fn key_prefix_rules() {
        let spec = |required| Key {
            secrets: vec!["secret".into()],
            encoding: KeyEncoding::Base64,
            prefix: Some("whsec_".into()),
            prefix_required: required,
        };
        assert_eq!(key_text(&spec(false), "whsec_abc"), Some("abc"));
        assert_eq!(key_text(&spec(false), "abc"), Some("abc"));
        assert_eq!(key_text(&spec(true), "abc"), None);
    }

    #[test]
    fn bad_keys_are_errors_not_panics() {
        assert!(verify_key(Algorithm::HmacSha256, KeyEncoding::Hex, "zz").is_err());
        assert!(verify_key(Algorithm::RsaPkcs1v15Sha256, KeyEncoding::Pem, "junk").is_err());
        assert!(verify_key(Algorithm::Ed25519, KeyEncoding::Base64, "AAAA").is_err());
        assert!(sign_key(Algorithm::Ed25519, KeyEncoding::Base64, "AAAA").is_err());
        assert!(verify_key(Algorithm::HmacSha256, KeyEncoding::Utf8, "").is_err());
    }
}
