//! Validating what a rule's `check` returned and turning it into findings.

use crate::finding::{Edit, Finding, Fix, Level, Safety};
use crate::note::Note;
use crate::plugin::Rule;
use crate::plugin::api::span_of_map;
use crate::span::Span;
use rhai::{Array, Dynamic, Map};

fn valid_span(span: Span, note: &Note, what: &str) -> Result<Span, String> {
    let src = &note.source;
    if span.end > src.len() || !src.is_char_boundary(span.start) || !src.is_char_boundary(span.end)
    {
        return Err(format!(
            "{what} {}..{} is not on char boundaries inside the note",
            span.start, span.end
        ));
    }
    Ok(span)
}

fn text_field(map: &Map, key: &str) -> Result<Option<String>, String> {
    map.get(key)
        .filter(|d| !d.is_unit())
        .map(|d| {
            d.clone()
                .into_string()
                .map_err(|t| format!("`{key}` must be a string, not {t}"))
        })
        .transpose()
}

/// Reads the value `check` returned: `()`, one finding map, or an array of them.
pub fn findings(
    value: Dynamic,
    note: &Note,
    rule: &Rule,
    max_level: Level,
) -> Result<Vec<Finding>, String> {
    let items: Array = if value.is_unit() {
        return Ok(vec![]);
    } else if value.is_map() {
        vec![value]
    } else {
        let t = value.type_name();
        value
            .try_cast::<Array>()
            .ok_or_else(|| format!("expected an array of findings, got {t}"))?
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let t = item.type_name();
            let map = item
                .try_cast::<Map>()
                .ok_or_else(|| format!("finding #{} is {t}, not a map", i + 1))?;
            finding(&map, note, rule, max_level).map_err(|e| format!("finding #{}: {e}", i + 1))
        })
        .collect()
}

fn finding(map: &Map, note: &Note, rule: &Rule, max_level: Level) -> Result<Finding, String> {
    let span = span_of_map(map)?;
    let span = valid_span(span, note, "span")?;
    let message = text_field(map, "message")?.ok_or("has no `message`")?;
    let help = text_field(map, "help")?;
    let level = match text_field(map, "level")? {
        None => max_level,
        Some(l) => Level::parse(&l)
            .ok_or_else(|| format!("unknown level `{l}`"))?
            .min(max_level),
    };
    let fix = match map.get("edits").filter(|d| !d.is_unit()) {
        None => None,
        Some(d) => {
            let t = d.type_name();
            let list = d
                .clone()
                .try_cast::<Array>()
                .ok_or_else(|| format!("`edits` must be an array, not {t}"))?;
            edits(list, note)?
        }
    };
    Ok(Finding {
        rule: rule.id.clone(),
        level,
        span,
        message,
        help,
        fix,
    })
}

fn edits(list: Array, note: &Note) -> Result<Option<Fix>, String> {
    let mut out = Vec::new();
    let mut safety = Safety::Safe;
    for (i, d) in list.into_iter().enumerate() {
        let t = d.type_name();
        let m = d.try_cast::<Map>().ok_or_else(|| {
            format!(
                "edit #{} is {t}, not a map (use `replace(at, text)`)",
                i + 1
            )
        })?;
        let span = span_of_map(&m).map_err(|e| format!("edit #{}: {e}", i + 1))?;
        let span = valid_span(span, note, "edit")?;
        if span.start < note.body.start || span.end > note.body.end {
            return Err(format!(
                "edit #{} touches the front matter; edits stay in the note's body",
                i + 1
            ));
        }
        let replacement = text_field(&m, "replacement")?
            .ok_or_else(|| format!("edit #{} has no `replacement`", i + 1))?;
        if m.get("safe").and_then(|s| s.as_bool().ok()) == Some(false) {
            safety = Safety::Unsafe;
        }
        out.push(Edit { span, replacement });
    }
    if out.is_empty() {
        return Ok(None);
    }
    out.sort_by_key(|e| (e.span.start, e.span.end));
    if out.windows(2).any(|w| w[0].span.end > w[1].span.start) {
        return Err("edits of one finding overlap".into());
    }
    Ok(Some(Fix { safety, edits: out }))
}
