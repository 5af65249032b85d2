//! The `json_leaf_values` message part: every leaf value of a parsed item (strings, numbers,
//! booleans, nulls; not object keys) rendered as text, ordered, and joined. It reads the
//! parsed values themselves: nothing of the document is re-serialized but the numbers, which
//! are written as the spec says.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::plan::LeafValues;
use crate::projection::Step;
use crate::spec::LeafOrder;

/// The message part of `item`: its leaf texts outside the excluded subtrees, in the spec's
/// order, with the separator between them.
pub(crate) fn render(item: &Json, lv: &LeafValues) -> Vec<u8> {
    let mut texts: Vec<Cow<'_, str>> = Vec::new();
    // Depth first with an explicit stack (no recursion on deep documents). Each entry carries
    // its depth and the exclusions whose first `depth` steps lead to it.
    let mut stack: Vec<(&Json, usize, Vec<usize>)> =
        vec![(item, 0, (0..lv.exclude.len()).collect())];
    while let Some((value, depth, alive)) = stack.pop() {
        if alive.iter().any(|&i| lv.exclude[i].len() == depth) {
            continue;
        }
        match value {
            Json::Object(members) => {
                let mut members: Vec<(&String, &Json)> = members.iter().collect();
                if lv.order == LeafOrder::Keys {
                    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                }
                // Pushed in reverse, so they are taken in order.
                for (name, child) in members.into_iter().rev() {
                    let next = alive
                        .iter()
                        .copied()
                        .filter(|&i| matches!(&lv.exclude[i][depth], Step::Name(n) if n == name))
                        .collect();
                    stack.push((child, depth + 1, next));
                }
            }
            Json::Array(elements) => {
                let len = elements.len() as i64;
                for (j, child) in elements.iter().enumerate().rev() {
                    let next = alive
                        .iter()
                        .copied()
                        .filter(|&i| match lv.exclude[i][depth] {
                            Step::Index(x) => (if x < 0 { len + x } else { x }) == j as i64,
                            Step::Name(_) => false,
                        })
                        .collect();
                    stack.push((child, depth + 1, next));
                }
            }
            leaf => texts.push(leaf_text(leaf, lv)),
        }
    }
    if lv.order == LeafOrder::Values {
        // Byte order of the UTF-8 text, which is also the order of code points.
        texts.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    }
    let mut out = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(lv.separator.as_bytes());
        }
        out.extend_from_slice(t.as_bytes());
    }
    out
}

/// One leaf as text: strings as they are, booleans `true` / `false`, null as configured,
/// numbers with the configured decimals or as their JSON text.
fn leaf_text<'v>(leaf: &'v Json, lv: &LeafValues) -> Cow<'v, str> {
    match leaf {
        Json::String(s) => Cow::Borrowed(s),
        Json::Bool(true) => Cow::Borrowed("true"),
        Json::Bool(false) => Cow::Borrowed("false"),
        Json::Null => Cow::Owned(lv.null.clone()),
        Json::Number(n) => Cow::Owned(match (lv.number_decimals, n.as_f64()) {
            (Some(d), Some(f)) => format!("{f:.0$}", usize::from(d)),
            _ => n.to_string(),
        }),
        Json::Array(_) | Json::Object(_) => unreachable!("containers are walked, not rendered"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lv(exclude: &[&[Step]], decimals: Option<u8>, order: LeafOrder, sep: &str) -> LeafValues {
        LeafValues {
            exclude: exclude.iter().map(|x| x.to_vec()).collect(),
            number_decimals: decimals,
            null: "null".into(),
            order,
            separator: sep.into(),
        }
    }

    fn name(n: &str) -> Step {
        Step::Name(n.into())
    }

    fn text(doc: &Json, lv: &LeafValues) -> String {
        String::from_utf8(render(doc, lv)).unwrap()
    }

    #[test]
    fn nested_objects_and_arrays_give_every_leaf_sorted() {
        let doc = json!({
            "b": {"z": "zeta", "a": ["m", {"k": "alpha"}, ["nested", "Z"]]},
            "a": "beta",
            "Signature": "ab12"
        });
        let sig = [name("Signature")];
        let l = lv(&[&sig], Some(2), LeafOrder::Values, "/");
        // Byte order: upper case before lower case.
        assert_eq!(text(&doc, &l), "Z/alpha/beta/m/nested/zeta");
    }

    #[test]
    fn numbers_with_fixed_decimals() {
        let doc = json!([
            60.0,
            10.5,
            7,
            -3,
            -0.5,
            0.125,
            0.375,
            1e21,
            18446744073709551615u64,
            -9223372036854775808i64,
            2.675
        ]);
        let l = lv(&[], Some(2), LeafOrder::Keys, "|");
        // Ties to even on the exact binary value (0.125 and 0.375 are exact ties; 2.675 is
        // 2.67499999... in binary), as Python's format(x, ".2f").
        assert_eq!(
            text(&doc, &l),
            "60.00|10.50|7.00|-3.00|-0.50|0.12|0.38|1000000000000000000000.00|\
             18446744073709551616.00|-9223372036854775808.00|2.67"
        );
        let l0 = lv(&[], Some(0), LeafOrder::Keys, "|");
        assert_eq!(text(&json!([2.5, 3.5, 12]), &l0), "2|4|12");
    }

    #[test]
    fn numbers_as_json_text_without_decimals() {
        let doc = json!([60.0, 10.5, 7, -3, 18446744073709551615u64, 1e21]);
        let l = lv(&[], None, LeafOrder::Keys, "|");
        assert_eq!(text(&doc, &l), "60.0|10.5|7|-3|18446744073709551615|1e+21");
        // Parsed from text: 60.00 is the number 60.0.
        let parsed: Json = serde_json::from_str(r#"{"a": 60.00, "b": 1E2}"#).unwrap();
        assert_eq!(text(&parsed, &l), "60.0|100.0");
    }

    #[test]
    fn booleans_nulls_and_unicode() {
        let doc = json!({"t": true, "f": false, "n": null, "u": "Žltý kôň €", "e": "", "x": "ÿ"});
        let l = lv(&[], None, LeafOrder::Values, "/");
        // Sorted by UTF-8 bytes: "" < "false" < "null" < "true" < "Ž..." (C5 BD) and "ÿ" (C3 BF):
        // C3 < C5.
        assert_eq!(text(&doc, &l), "/false/null/true/ÿ/Žltý kôň €");
        let mut custom = lv(&[], None, LeafOrder::Keys, ",");
        custom.null = String::new();
        assert_eq!(text(&doc, &custom), ",false,,true,Žltý kôň €,ÿ");
    }

    #[test]
    fn key_order_walks_members_by_name_and_elements_in_order() {
        let doc = json!({"b": [3, {"y": "1", "x": "2"}], "a": "first", "B": "upper"});
        let l = lv(&[], None, LeafOrder::Keys, "/");
        assert_eq!(text(&doc, &l), "upper/first/3/2/1");
    }

    #[test]
    fn the_excluded_field_present_or_absent() {
        let l = lv(&[&[name("Signature")]], Some(2), LeafOrder::Values, "/");
        let with = json!({"Signature": "ffff", "A": {"Amount": 1, "Currency": "EUR"}});
        let without = json!({"A": {"Amount": 1, "Currency": "EUR"}});
        assert_eq!(text(&with, &l), "1.00/EUR");
        assert_eq!(text(&without, &l), "1.00/EUR");
        // Only that path: the same name deeper down is signed, and a signature-like value
        // elsewhere is signed too.
        let deeper = json!({"Signature": "ffff", "A": {"Signature": "ffff"}});
        assert_eq!(text(&deeper, &l), "ffff");
    }

    #[test]
    fn exclusions_reach_whole_subtrees_and_array_positions() {
        let l = lv(
            &[
                &[name("meta")],
                &[name("list"), Step::Index(0)],
                &[name("list"), Step::Index(-1)],
            ],
            None,
            LeafOrder::Keys,
            "/",
        );
        let doc =
            json!({"meta": {"a": "1", "b": ["2"]}, "list": ["first", "mid", "last"], "z": "kept"});
        assert_eq!(text(&doc, &l), "mid/kept");
        assert!(l.covers(&[name("z")]));
        assert!(!l.covers(&[name("meta"), name("a")]));
        assert!(!l.covers(&[name("list"), Step::Index(0)]));
        // A negative index cannot be resolved without the document: every element of that
        // array counts as excluded (the lint then warns rather than stays silent).
        assert!(!l.covers(&[name("list"), Step::Index(1)]));
        let positive = lv(
            &[&[name("list"), Step::Index(0)]],
            None,
            LeafOrder::Keys,
            "/",
        );
        assert!(positive.covers(&[name("list"), Step::Index(1)]));
        assert!(!positive.covers(&[name("list"), Step::Index(0), name("deeper")]));
    }

    #[test]
    fn empty_containers_contribute_nothing_and_a_scalar_item_is_one_leaf() {
        let l = lv(&[], None, LeafOrder::Values, "/");
        assert_eq!(text(&json!({"a": {}, "b": [], "c": "x"}), &l), "x");
        assert_eq!(text(&json!("only"), &l), "only");
        assert_eq!(text(&json!({}), &l), "");
    }

    #[test]
    fn deep_documents_do_not_recurse() {
        let mut doc = json!("leaf");
        for _ in 0..100_000 {
            doc = Json::Array(vec![doc]);
        }
        let l = lv(&[], None, LeafOrder::Values, "/");
        assert_eq!(text(&doc, &l), "leaf");
        // Dropping a 100,000-deep value recurses in serde_json; leak it instead.
        std::mem::forget(doc);
    }
}
