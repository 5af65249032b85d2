//! Reading values out of one request: headers, URL parts, form fields, signature parameters,
//! document fields and secrets, with defaults and transforms.

use std::borrow::Cow;
use std::cell::OnceCell;

use serde_json::Value as Json;

use crate::contract::{RequestDetails, WebhookSecrets};
use crate::crypto;
use crate::decode;
use crate::error::{ErrorKind, HandleError};
use crate::plan::{SortedParams, Source, SourceKind};
use crate::spec::{Transform, UrlPart};
use crate::value::{Found, Val};

/// One request being handled, with lazily parsed parts.
pub(crate) struct Req<'a> {
    pub details: &'a RequestDetails,
    pub secrets: &'a WebhookSecrets,
    form: OnceCell<Result<Vec<(String, String)>, String>>,
    url: OnceCell<Option<url::Url>>,
    /// `body.format: form_or_query`: an empty body's form is the URL's query string.
    query_form: bool,
}

impl<'a> Req<'a> {
    pub fn new(details: &'a RequestDetails, secrets: &'a WebhookSecrets) -> Self {
        Req {
            details,
            secrets,
            form: OnceCell::new(),
            url: OnceCell::new(),
            query_form: false,
        }
    }

    /// Reads the form from the URL's query string when the body is empty
    /// (`body.format: form_or_query`).
    pub fn with_query_form(mut self, on: bool) -> Self {
        self.query_form = on;
        self
    }

    /// The form fields of the body (parsed once); with `with_query_form` and an empty body,
    /// those of the URL's query string.
    pub fn form(&self) -> Result<&[(String, String)], HandleError> {
        self.form
            .get_or_init(|| {
                if self.query_form && self.details.body.is_empty() {
                    let url = url::Url::parse(&self.details.url).map_err(|_| {
                        "the request URL is missing or not an absolute URL".to_string()
                    })?;
                    decode::parse_form(url.query().unwrap_or("").as_bytes())
                } else {
                    decode::parse_form(&self.details.body)
                }
            })
            .as_deref()
            .map_err(|e| HandleError::new(ErrorKind::MalformedBody, format!("form body: {e}")))
    }

    fn url(&self) -> Result<&url::Url, HandleError> {
        self.url
            .get_or_init(|| url::Url::parse(&self.details.url).ok())
            .as_ref()
            .ok_or_else(|| {
                HandleError::new(
                    ErrorKind::InvalidRequest,
                    "the request URL is missing or not an absolute URL",
                )
            })
    }
}

/// Where a source is read: the request plus, when present, signature parameters and an item.
pub(crate) struct Scope<'a, 'b> {
    pub req: &'b Req<'a>,
    pub params: &'b [(&'b str, &'b str)],
    pub item: Option<&'b Json>,
    /// Projection slots of the item (when the item is the whole projected document).
    pub slots: Option<&'b [Option<Val<'b>>]>,
    /// URL sources with `default_port: optional` read the URL with its scheme's default port
    /// added or removed ([`toggle_default_port`]).
    pub alt_port: bool,
}

/// Renders a JSON value as text: strings as they are, numbers and booleans as JSON text, null
/// and missing as `None`, arrays and objects as compact JSON.
pub(crate) fn json_text(v: &Json) -> Option<Cow<'_, str>> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(Cow::Borrowed(s)),
        Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        other => Some(Cow::Owned(other.to_string())),
    }
}

impl<'b> Scope<'_, 'b> {
    /// The raw value of a source before default and transforms; `None` when absent.
    fn raw(&self, src: &'b Source) -> Result<Option<Cow<'b, [u8]>>, HandleError> {
        let req = self.req;
        Ok(match &src.kind {
            SourceKind::Header(_) | SourceKind::Param(_) => self
                .header_or_param(&src.kind)
                .map(|v| Cow::Borrowed(v.as_bytes())),
            SourceKind::Query(q) => {
                let url = req.url()?;
                url.query_pairs()
                    .find(|(k, _)| k == q)
                    .map(|(_, v)| Cow::Owned(v.into_owned().into_bytes()))
            }
            SourceKind::FormField(f) => req
                .form()?
                .iter()
                .find(|(k, _)| k == f)
                .map(|(_, v)| Cow::Borrowed(v.as_bytes())),
            SourceKind::Field(path) => self
                .item
                .and_then(|doc| path.find(doc, self.slots))
                .and_then(Found::text)
                .map(|t| match t {
                    Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                    Cow::Owned(s) => Cow::Owned(s.into_bytes()),
                }),
            SourceKind::Literal(l) => Some(Cow::Borrowed(l.as_bytes())),
            SourceKind::Secret(name) => req
                .secrets
                .get(name)
                .map(|s| Cow::Borrowed(s.expose().as_bytes())),
            SourceKind::Body => Some(Cow::Borrowed(&req.details.body[..])),
            SourceKind::Url(us) => {
                let remove = &us.remove_query;
                if us.part == UrlPart::Full {
                    let sent = req.details.url.as_str();
                    let url = match (self.alt_port && us.port_optional, remove.is_empty()) {
                        (false, true) => return Ok(Some(Cow::Borrowed(sent.as_bytes()))),
                        (false, false) => Cow::Borrowed(sent),
                        // Without a variant (another port, no scheme default) the URL as sent.
                        (true, _) => {
                            toggle_default_port(sent).map_or(Cow::Borrowed(sent), Cow::Owned)
                        }
                    };
                    let text = if remove.is_empty() {
                        url.into_owned()
                    } else {
                        without_query_params(&url, remove)
                    };
                    Some(Cow::Owned(text.into_bytes()))
                } else {
                    let u = req.url()?;
                    let query = || strip_query(u.query().unwrap_or(""), remove);
                    let text = match us.part {
                        UrlPart::Full => unreachable!("handled above"),
                        UrlPart::Scheme => u.scheme().to_string(),
                        UrlPart::Host => u.host_str().unwrap_or("").to_string(),
                        UrlPart::Path => u.path().to_string(),
                        UrlPart::Query => query(),
                        UrlPart::PathAndQuery => match u.query().map(|_| query()) {
                            Some(q) if !q.is_empty() || remove.is_empty() => {
                                format!("{}?{q}", u.path())
                            }
                            _ => u.path().to_string(),
                        },
                    };
                    Some(Cow::Owned(text.into_bytes()))
                }
            }
            SourceKind::SortedParams(sp) => Some(Cow::Owned(self.sorted_params(sp)?)),
            SourceKind::JsonLeafValues(lv) => self
                .item
                .map(|item| Cow::Owned(crate::leaf_values::render(item, lv))),
        })
    }

    /// The `sorted_params` part: the parameters, sorted by name (stable), as name, `assign`,
    /// value, with `separator` between pairs.
    fn sorted_params(&self, sp: &SortedParams) -> Result<Vec<u8>, HandleError> {
        let req = self.req;
        let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
        let query_text = |req: &Req| -> Result<String, HandleError> {
            Ok(req.url()?.query().unwrap_or("").to_string())
        };
        if sp.reads_query() {
            let q = query_text(req)?;
            pairs.extend(
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned()))),
            );
        }
        if sp.reads_form() {
            if req.query_form && req.details.body.is_empty() && !sp.reads_query() {
                let q = query_text(req)?;
                pairs.extend(
                    form_urlencoded::parse(q.as_bytes())
                        .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned()))),
                );
            } else {
                pairs.extend(form_urlencoded::parse(&req.details.body));
            }
        }
        pairs.retain(|(k, _)| !sp.exclude.iter().any(|x| x == k));
        pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if !sp.repeated {
            if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(HandleError::new(
                    ErrorKind::MalformedBody,
                    format!(
                        "parameter `{}` appears more than once",
                        crate::engine::printable(&w[0].0)
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sp.separator.as_bytes());
            }
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(sp.assign.as_bytes());
            out.extend_from_slice(v.as_bytes());
        }
        Ok(out)
    }

    /// The value of a source with default and transforms applied; `None` when absent and no
    /// default is given.
    pub fn get(&self, src: &'b Source) -> Result<Option<Cow<'b, [u8]>>, HandleError> {
        let raw = match self.raw(src)? {
            Some(v) => v,
            None => match &src.default {
                Some(d) => Cow::Borrowed(d.as_bytes()),
                None => return Ok(None),
            },
        };
        Ok(Some(apply_transforms(raw, &src.transforms)))
    }

    /// A present header (the first of its names) or signature parameter; `None` for any other
    /// source.
    fn header_or_param(&self, kind: &SourceKind) -> Option<&'b str> {
        match kind {
            SourceKind::Header(names) => names.iter().find_map(|n| self.req.details.header(n)),
            SourceKind::Param(p) => self
                .params
                .iter()
                .find(|(k, _)| *k == p.as_str())
                .map(|(_, v)| *v),
            _ => None,
        }
    }

    /// The value as UTF-8 text (invalid UTF-8 is malformed input).
    pub fn text(&self, src: &'b Source) -> Result<Option<Cow<'b, str>>, HandleError> {
        // Headers and signature parameters are text already: without transforms, a present
        // one is returned as it is (the general path would check its UTF-8 again).
        if src.transforms.is_empty() {
            if let Some(v) = self.header_or_param(&src.kind) {
                return Ok(Some(Cow::Borrowed(v)));
            }
        }
        Ok(match self.get(src)? {
            None => None,
            Some(Cow::Borrowed(b)) => Some(Cow::Borrowed(
                std::str::from_utf8(b).map_err(|_| not_utf8())?,
            )),
            Some(Cow::Owned(b)) => Some(Cow::Owned(String::from_utf8(b).map_err(|_| not_utf8())?)),
        })
    }

    /// A description of the source for error messages (never its value).
    pub fn describe(src: &Source) -> String {
        match &src.kind {
            SourceKind::Header(n) => format!("header {}", n.join(" / ")),
            SourceKind::Param(p) => format!("signature parameter `{p}`"),
            SourceKind::Query(q) => format!("query parameter `{q}`"),
            SourceKind::FormField(f) => format!("form field `{f}`"),
            SourceKind::Field(_) => "body field".into(),
            SourceKind::Literal(_) => "literal".into(),
            SourceKind::Secret(s) => format!("secret `{s}`"),
            SourceKind::Body => "body".into(),
            SourceKind::Url(_) => "URL".into(),
            SourceKind::SortedParams(_) => "sorted parameters".into(),
            SourceKind::JsonLeafValues(_) => "the body's leaf values".into(),
        }
    }
}

/// The URL with its scheme's default port (443 for https, 80 for http) removed when it is
/// written, or added when it is not; `None` when there is no such variant (another port, another
/// scheme, no host). Only the authority changes: the rest is kept byte for byte.
pub(crate) fn toggle_default_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    // An IPv6 literal's colons are inside its brackets.
    let port_colon = match host_port.rfind(']') {
        Some(close) => host_port[close..].find(':').map(|i| close + i),
        None => host_port.rfind(':'),
    };
    let authority = match port_colon {
        Some(i) if &host_port[i + 1..] == default && i > 0 => {
            format!("{}{}", &authority[..host_start], &host_port[..i])
        }
        Some(_) => return None,
        None if host_port.is_empty() => return None,
        None => format!("{authority}:{default}"),
    };
    Some(format!("{scheme}://{authority}{}", &rest[end..]))
}

/// A query string without the parameters named in `remove` (by decoded name); the others are
/// kept as written, in order.
fn strip_query(query: &str, remove: &[String]) -> String {
    if remove.is_empty() {
        return query.to_string();
    }
    query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            let decoded = form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            !remove.contains(&decoded)
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A URL text without the query parameters named in `remove`; `?` goes too when none is left.
fn without_query_params(url: &str, remove: &[String]) -> String {
    let (before_fragment, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let Some((base, query)) = before_fragment.split_once('?') else {
        return url.to_string();
    };
    let kept = strip_query(query, remove);
    if kept.is_empty() {
        format!("{base}{fragment}")
    } else {
        format!("{base}?{kept}{fragment}")
    }
}

fn not_utf8() -> HandleError {
    HandleError::new(
        ErrorKind::MalformedBody,
        "a value the spec reads is not UTF-8 text",
    )
}

fn apply_transforms<'b>(mut v: Cow<'b, [u8]>, transforms: &[Transform]) -> Cow<'b, [u8]> {
    for t in transforms {
        v = Cow::Owned(match t {
            Transform::Upper => v.to_ascii_uppercase(),
            Transform::Lower => v.to_ascii_lowercase(),
            Transform::Trim => v.trim_ascii().to_vec(),
            Transform::Reverse => match std::str::from_utf8(&v) {
                Ok(s) => s.chars().rev().collect::<String>().into_bytes(),
                Err(_) => v.iter().rev().copied().collect(),
            },
            Transform::Crc32 => crc32fast::hash(&v).to_string().into_bytes(),
            Transform::Sha256Hex => crypto::sha256_hex(&[&v]).into_bytes(),
            Transform::Base64 => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .encode(&v)
                    .into_bytes()
            }
            Transform::AfterLastSlash => match v.iter().rposition(|&b| b == b'/') {
                Some(i) => v[i + 1..].to_vec(),
                None => v.into_owned(),
            },
            Transform::Base64Decode => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(&v)
                    .unwrap_or_default()
            }
        });
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_apply_in_order() {
        let v = apply_transforms(
            Cow::Borrowed(b"abc"),
            &[Transform::Reverse, Transform::Upper],
        );
        assert_eq!(&*v, b"CBA");
        // CRC-32 of "123456789" is 0xCBF43926.
        let v = apply_transforms(Cow::Borrowed(b"123456789"), &[Transform::Crc32]);
        assert_eq!(&*v, b"3421780262");
        // The part after the last `/`, or everything when there is no `/`.
        for (input, out) in [
            (&b"Volt/2.0"[..], &b"2.0"[..]),
            (b"a/b/c", b"c"),
            (b"trailing/", b""),
            (b"no-slash", b"no-slash"),
        ] {
            let v = apply_transforms(Cow::Borrowed(input), &[Transform::AfterLastSlash]);
            assert_eq!(&*v, out);
        }
        // base64_decode undoes base64; text that is not base64 decodes to nothing.
        let v = apply_transforms(
            Cow::Borrowed(b"t:1"),
            &[Transform::Base64, Transform::Base64Decode],
        );
        assert_eq!(&*v, b"t:1");
        let v = apply_transforms(Cow::Borrowed(b"MTc6YWI="), &[Transform::Base64Decode]);
        assert_eq!(&*v, b"17:ab");
        let v = apply_transforms(Cow::Borrowed(b"17:ab"), &[Transform::Base64Decode]);
        assert!(v.is_empty());
    }

    #[test]
    fn the_default_port_is_added_or_removed_and_nothing_else_changes() {
        for (url, toggled) in [
            (
                "https://a.example/x?y=1",
                Some("https://a.example:443/x?y=1"),
            ),
            ("https://a.example:443/x", Some("https://a.example/x")),
            ("HTTP://u:p@a.example:80", Some("HTTP://u:p@a.example")),
            ("http://a.example?q", Some("http://a.example:80?q")),
            ("https://[::1]:443/x", Some("https://[::1]/x")),
            ("https://[::1]/x", Some("https://[::1]:443/x")),
            ("https://a.example:8443/x", None),
            ("http://a.example:443/x", None),
            ("ftp://a.example/x", None),
            ("https:///x", None),
            ("not a url", None),
        ] {
            assert_eq!(toggle_default_port(url).as_deref(), toggled, "{url}");
        }
    }

    #[test]
    fn removed_query_parameters_leave_the_rest_as_written() {
        let rm = vec!["sig".to_string()];
        assert_eq!(
            without_query_params("https://a/x?sig=1&b=%20&sig=2#f", &rm),
            "https://a/x?b=%20#f"
        );
        assert_eq!(
            without_query_params("https://a/x?sig=1", &rm),
            "https://a/x"
        );
        assert_eq!(
            without_query_params("https://a/x?s%69g=1&a", &rm),
            "https://a/x?a"
        );
        assert_eq!(without_query_params("https://a/x", &rm), "https://a/x");
    }
}
