//! `pack.toml`: a pack's name (its namespace), version, description, licence,
//! authors, the tact versions it works with and the packs it depends on.
//! Parsed strictly: an unknown key is an error with a "did you mean".

use crate::problem::{Problem, Source, did_you_mean};
use crate::span::Span;
use schemars::JsonSchema;
use semver::{Version, VersionReq};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The manifest's file name.
pub const FILE_NAME: &str = "pack.toml";

/// The version of tact running: the version of the embedded `core` pack too.
pub const TACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `pack.toml` as written (the JSON schema is generated from this).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tact pack manifest (pack.toml)")]
pub struct RawManifest {
    /// The pack's namespace, lowercase kebab-case: its rules are `NAME/rule`,
    /// its rulebooks `NAME/rulebook`.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub name: String,
    /// The pack's version (semver, e.g. `1.2.0`).
    pub version: String,
    /// What the pack is for, in one sentence.
    pub description: String,
    /// The licence, as an SPDX expression (`MIT`, `Apache-2.0`).
    #[serde(default)]
    pub license: Option<String>,
    /// Who wrote it (`Name <email>`).
    #[serde(default)]
    pub authors: Vec<String>,
    /// Where its rules are documented: an absolute `http(s)` URL. SARIF output
    /// links each of the pack's rules there (`helpUri`).
    #[serde(default)]
    #[schemars(url)]
    pub homepage: Option<String>,
    /// The tact versions the pack works with (a semver requirement, e.g. `>=0.1, <2`).
    pub tact: String,
    /// Other packs it builds on: pack name → semver requirement on its version.
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
}

/// The keys a manifest may have.
const KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "license",
    "authors",
    "homepage",
    "tact",
    "dependencies",
];

/// A parsed, checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The namespace.
    pub name: String,
    /// The version.
    pub version: Version,
    /// What it is for.
    pub description: String,
    /// The licence, when given.
    pub license: Option<String>,
    /// The authors.
    pub authors: Vec<String>,
    /// Where its rules are documented (an absolute `http(s)` URL), when given.
    pub homepage: Option<String>,
    /// The tact versions it works with.
    pub tact: VersionReq,
    /// Pack name → version requirement.
    pub dependencies: BTreeMap<String, VersionReq>,
}

/// Why `url` cannot be a homepage: it must be an absolute `http` or `https`
/// URI (RFC 3986) with a host, as SARIF's `helpUri` and a browser need.
fn check_homepage(url: &str) -> Result<(), String> {
    let uri = fluent_uri::Uri::parse(url).map_err(|e| format!("is not a URI: {e}"))?;
    let scheme = uri.scheme().as_str().to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err("is not an `http` or `https` URL".into());
    }
    if uri.authority().is_none_or(|a| a.host().is_empty()) {
        return Err("has no host".into());
    }
    Ok(())
}

/// True for a lowercase kebab-case name (`acme`, `sales-team`, `team2`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

impl Manifest {
    /// Parses the text of a manifest shown as `path`.
    pub fn parse(path: &str, text: &str) -> Result<Manifest, Problem> {
        let src = Source::new(path.to_owned(), text.to_owned());
        let bad = |span: Span, msg: String, help: &str| {
            Problem::error("tact::pack::manifest", format!("`{path}`: {msg}"))
                .at(src.clone(), span, "here")
                .help(help.to_owned())
        };
        let syntax = |e: toml::de::Error| {
            let span = e
                .span()
                .map(|s| Span::new(s.start, s.end))
                .unwrap_or_default();
            bad(
                span,
                e.message().trim().to_owned(),
                "a pack.toml has name, version, description, license, authors, homepage, tact and [dependencies]",
            )
        };
        // Keys first, with their spans, so a typo gets a "did you mean".
        let keys: BTreeMap<Spanned<String>, toml::Value> = toml::from_str(text).map_err(syntax)?;
        for key in keys.keys() {
            if !KEYS.contains(&key.get_ref().as_str()) {
                let help = match did_you_mean(key.get_ref(), KEYS.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!("the keys are: {}", KEYS.join(", ")),
                };
                let span = Span::new(key.span().start, key.span().end);
                return Err(bad(span, format!("unknown key `{}`", key.get_ref()), &help));
            }
        }
        let span_of = |key: &str| {
            keys.keys()
                .find(|k| k.get_ref() == key)
                .map(|k| Span::new(k.span().start, k.span().end))
                .unwrap_or_default()
        };
        let raw: RawManifest = toml::from_str(text).map_err(syntax)?;
        if !valid_name(&raw.name) {
            return Err(bad(
                span_of("name"),
                format!("pack name `{}` is not lowercase kebab-case", raw.name),
                "a pack name is its namespace: lowercase letters, digits and single dashes, like `acme` or `sales-team`",
            ));
        }
        let version = Version::parse(&raw.version).map_err(|e| {
            bad(
                span_of("version"),
                format!("version `{}` is not semver: {e}", raw.version),
                "write MAJOR.MINOR.PATCH, like `1.0.0`",
            )
        })?;
        let tact = VersionReq::parse(&raw.tact).map_err(|e| {
            bad(
                span_of("tact"),
                format!(
                    "`tact = \"{}\"` is not a version requirement: {e}",
                    raw.tact
                ),
                "write the tact versions the pack works with, like `>=0.1`",
            )
        })?;
        if let Some(url) = &raw.homepage
            && let Err(why) = check_homepage(url)
        {
            return Err(bad(
                span_of("homepage"),
                format!("homepage `{url}` {why}"),
                "write the absolute address of the pack's documentation, like `https://example.com/acme`",
            ));
        }
        let mut dependencies = BTreeMap::new();
        for (dep, req) in &raw.dependencies {
            if !valid_name(dep) {
                return Err(bad(
                    span_of("dependencies"),
                    format!("dependency `{dep}` is not a pack name (lowercase kebab-case)"),
                    "name the pack as its pack.toml does: `acme = \"^1.0\"`",
                ));
            }
            let req = VersionReq::parse(req).map_err(|e| {
                bad(
                    span_of("dependencies"),
                    format!("dependency `{dep} = \"{req}\"` is not a version requirement: {e}"),
                    "write `acme = \"^1.0\"`",
                )
            })?;
            dependencies.insert(dep.clone(), req);
        }
        Ok(Manifest {
            name: raw.name,
            version,
            description: raw.description,
            license: raw.license,
            authors: raw.authors,
            homepage: raw.homepage,
            tact,
            dependencies,
        })
    }

    /// Whether the running tact meets the pack's `tact` requirement.
    pub fn supports_this_tact(&self) -> bool {
        let this = Version::parse(TACT_VERSION).expect("Cargo's version is semver");
        // A pre-release of tact counts as its release for requirements.
        let release = Version::new(this.major, this.minor, this.patch);
        self.tact.matches(&release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "name = \"acme\"\nversion = \"1.2.0\"\ndescription = \"d\"\nlicense = \"MIT\"\nauthors = [\"A\"]\ntact = \">=0.1\"\n\n[dependencies]\nbase-team = \"^1\"\n";

    #[test]
    fn a_homepage_is_an_absolute_http_url() {
        let with = |url: &str| {
            let text = GOOD.replace(
                "\n\n[dependencies]",
                &format!("\nhomepage = \"{url}\"\n\n[dependencies]"),
            );
            Manifest::parse("pack.toml", &text)
        };
        let m = with("https://example.com/acme#rules").unwrap();
        assert_eq!(
            m.homepage.as_deref(),
            Some("https://example.com/acme#rules")
        );
        for bad in [
            "example.com/acme",
            "ftp://example.com/x",
            "https:///x",
            "https://exa mple.com",
            "javascript:alert(1)",
        ] {
            let e = with(bad).unwrap_err();
            assert!(e.message.contains("homepage"), "{bad}: {}", e.message);
        }
        assert_eq!(Manifest::parse("pack.toml", GOOD).unwrap().homepage, None);
    }

    #[test]
    fn a_complete_manifest_parses() {
        let m = Manifest::parse("pack.toml", GOOD).unwrap();
        assert_eq!(m.name, "acme");
        assert_eq!(m.version, Version::new(1, 2, 0));
        assert!(m.supports_this_tact());
        assert!(m.dependencies["base-team"].matches(&Version::new(1, 4, 0)));
    }

    #[test]
    fn an_unknown_key_suggests_the_right_one() {
        let text = GOOD.replace("version", "verison");
        let p = Manifest::parse("pack.toml", &text).unwrap_err();
        assert!(p.message.contains("unknown key `verison`"), "{}", p.message);
        assert_eq!(p.help.as_deref(), Some("did you mean `version`?"));
        assert_eq!(p.labels[0].0, Span::new(14, 21));
    }

    #[test]
    fn bad_names_versions_and_requirements_are_errors() {
        for (from, to, says) in [
            ("\"acme\"", "\"Acme\"", "kebab-case"),
            ("\"acme\"", "\"a/b\"", "kebab-case"),
            ("\"1.2.0\"", "\"1.2\"", "not semver"),
            ("\">=0.1\"", "\"soon\"", "not a version requirement"),
            ("\"^1\"", "\"one\"", "dependency `base-team"),
            ("base-team =", "Base_Team =", "not a pack name"),
        ] {
            let p = Manifest::parse("pack.toml", &GOOD.replacen(from, to, 1)).unwrap_err();
            assert!(p.message.contains(says), "{to}: {}", p.message);
        }
        let missing = GOOD.replace("tact = \">=0.1\"\n", "");
        assert!(
            Manifest::parse("pack.toml", &missing)
                .unwrap_err()
                .message
                .contains("missing field `tact`")
        );
    }

    #[test]
    fn a_pack_needing_a_newer_tact_is_told_apart() {
        let m = Manifest::parse("pack.toml", &GOOD.replace(">=0.1", ">=99.0")).unwrap();
        assert!(!m.supports_this_tact());
    }

    #[test]
    fn names_are_kebab_case() {
        assert!(valid_name("acme") && valid_name("sales-team2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a/b", "ü"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
