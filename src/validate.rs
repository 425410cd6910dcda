//! Checks on names and values users type, each failing with a usage error that names the value,
//! and the types a checked value becomes on the command line (`cli` parses into them once).

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::terminal::quote;

const DNS_SUBDOMAIN_MAX: usize = 253;
const LABEL_NAME_MAX: usize = 63;

/// A Kubernetes node name: a DNS-1123 subdomain (lower case, digits, `-` and `.`, ≤ 253 chars,
/// each dot-separated part starting and ending with a letter or digit).
pub(crate) fn node_name(name: &str) -> Result<()> {
    if is_dns_subdomain(name) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid node name {}: must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most {DNS_SUBDOMAIN_MAX} characters)", quote(name)
    )))
}

fn is_dns_subdomain(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= DNS_SUBDOMAIN_MAX
        && text.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// The name part of a label key or a label value: ≤ 63 of `[A-Za-z0-9._-]`, alphanumeric at
/// both ends.
fn is_label_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= LABEL_NAME_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && text
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// A Kubernetes label key: `[prefix/]name`, prefix a DNS subdomain.
pub(crate) fn label_key(key: &str) -> Result<()> {
    let valid = match key.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_label_name(name),
        None => is_label_name(key),
    };
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid label key {}: must be [prefix/]name, name at most {LABEL_NAME_MAX} of [A-Za-z0-9._-] starting and ending alphanumeric, prefix a DNS subdomain", quote(key)
    )))
}

/// A Kubernetes label value: empty, or like a key's name part.
pub(crate) fn label_value(key: &str, value: &str) -> Result<()> {
    if value.is_empty() || is_label_name(value) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid value {} for label {}: at most {LABEL_NAME_MAX} of [A-Za-z0-9._-], starting and ending alphanumeric", quote(value), quote(key)
    )))
}

/// `key=value` as given to `--label`; both halves checked.
pub(crate) fn label_pair(text: &str) -> Result<(String, String)> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(Error::usage(format!(
            "invalid label {}: expected key=value",
            quote(text)
        )));
    };
    label_key(key)?;
    label_value(key, value)?;
    Ok((key.to_string(), value.to_string()))
}

/// An IPv4 or IPv6 address, returned in canonical form.
pub(crate) fn ip(text: &str) -> Result<String> {
    ip_addr(text).map(|a| a.to_string())
}

/// An IPv4 or IPv6 address.
pub(crate) fn ip_addr(text: &str) -> Result<IpAddr> {
    text.parse::<IpAddr>()
        .map_err(|_| Error::usage(format!("invalid IP address {}", quote(text))))
}

/// A Kubernetes namespace: a DNS-1123 label (≤ 63 of lower-case letters, digits and `-`,
/// alphanumeric at both ends).
pub(crate) fn namespace(text: &str) -> Result<String> {
    // A label is one dot-free part of a subdomain, at most 63 long.
    if text.len() <= LABEL_NAME_MAX && !text.contains('.') && is_dns_subdomain(text) {
        return Ok(text.to_string());
    }
    Err(Error::usage(format!(
        "invalid namespace {}: must be a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)",
        quote(text)
    )))
}

/// The longest text `--search` looks for; SQLite refuses LIKE patterns past 50,000 bytes.
const SEARCH_MAX_CHARS: usize = 256;

/// Text to search for: one line of at most 256 characters.
pub(crate) fn search_text(text: &str) -> Result<String> {
    if text.chars().count() > SEARCH_MAX_CHARS {
        return Err(Error::usage(format!(
            "search text {} is longer than {SEARCH_MAX_CHARS} characters",
            quote(text)
        )));
    }
    one_line("search text", text)?;
    Ok(text.to_string())
}

/// A cluster name: 1–63 of `[A-Za-z0-9._-]`.
pub(crate) fn cluster(name: &str) -> Result<()> {
    if is_label_name(name) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid cluster name {}: expected 1-{LABEL_NAME_MAX} of [A-Za-z0-9._-], starting and ending alphanumeric", quote(name)
    )))
}

/// The longest free text (a role, a version, a reason) gpuctl keeps, in characters.
pub(crate) const TEXT_MAX_CHARS: usize = 1_024;

/// Free text such as a role, a version or a reason: one non-empty line of at most
/// [`TEXT_MAX_CHARS`], without control characters (which a terminal would obey, not show).
pub(crate) fn one_line(what: &str, text: &str) -> Result<()> {
    let why = if text.trim().is_empty() || text.contains(['\n', '\r']) {
        "must be one non-empty line".to_string()
    } else if let Some(c) = text.chars().find(|c| crate::terminal::is_control(*c)) {
        format!(
            "contains the control character {}",
            crate::terminal::escape(c.encode_utf8(&mut [0; 4]))
        )
    } else if text.chars().count() > TEXT_MAX_CHARS {
        format!("longer than {TEXT_MAX_CHARS} characters")
    } else {
        return Ok(());
    };
    Err(Error::usage(format!(
        "invalid {what} {}: {why}",
        quote(text)
    )))
}

/// A GPU UUID as NVML prints it: `GPU-` and hex digits with dashes.
pub(crate) fn gpu_uuid(uuid: &str) -> Result<()> {
    let valid = uuid.strip_prefix("GPU-").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 64
            && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    });
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid GPU UUID {}: expected GPU- followed by hex digits and dashes, as nvidia-smi -L prints", quote(uuid)
    )))
}

/// The longest device UUID accepted (a GPU UUID is 40 characters, a MIG UUID 41, the
/// pre-R470 `MIG-GPU-…/gi/ci` form about 50).
const DEVICE_UUID_MAX: usize = 96;

/// A device UUID as NVML and nvidia-smi print it: a GPU's `GPU-<hex and dashes>`, a MIG
/// device's `MIG-<hex and dashes>`, or the pre-R470 `MIG-GPU-<hex and dashes>/<gi>/<ci>`.
pub(crate) fn device_uuid(uuid: &str) -> Result<()> {
    let hex_and_dashes =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let valid = uuid.len() <= DEVICE_UUID_MAX
        && if let Some(rest) = uuid.strip_prefix("GPU-") {
            hex_and_dashes(rest)
        } else if let Some(rest) = uuid.strip_prefix("MIG-GPU-") {
            let mut parts = rest.split('/');
            parts.next().is_some_and(hex_and_dashes)
                && parts.clone().count() == 2
                && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        } else if let Some(rest) = uuid.strip_prefix("MIG-") {
            hex_and_dashes(rest)
        } else {
            false
        };
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid GPU UUID {}: expected GPU- (or MIG-) followed by hex digits and dashes, as nvidia-smi -L prints",
        quote(uuid)
    )))
}

/// A PCI bus id such as `00000000:17:00.0` (domain optional).
pub(crate) fn pci_bus_id(id: &str) -> Result<()> {
    let parts: Vec<&str> = id.split(':').collect();
    let hex = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_hexdigit())
    };
    let valid = match parts.as_slice() {
        [domain, bus, rest] => hex(domain, 8) && hex(bus, 2) && device_function(rest),
        [bus, rest] => hex(bus, 2) && device_function(rest),
        _ => false,
    };
    fn device_function(text: &str) -> bool {
        text.split_once('.').is_some_and(|(d, f)| {
            !d.is_empty()
                && d.len() <= 2
                && d.chars().all(|c| c.is_ascii_hexdigit())
                && f.len() == 1
                && f.chars().all(|c| c.is_ascii_digit())
        })
    }
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid PCI bus id {}: expected e.g. 00000000:17:00.0",
        quote(id)
    )))
}

/// A profile name such as `3g.40gb` or `1g.10gb+me`.
pub(crate) fn mig_profile_name(profile: &str) -> Result<()> {
    let base = profile.strip_suffix("+me").unwrap_or(profile);
    let valid = base.split_once('.').is_some_and(|(g, mem)| {
        g.strip_suffix('g')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            && mem
                .strip_suffix("gb")
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid MIG profile {}: expected e.g. 1g.10gb, 3g.40gb or 1g.10gb+me",
        quote(profile)
    )))
}

/// A text that passed one of the checks above, as a type: it reads as `&str`.
macro_rules! checked_text {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<$name> {
                $check(text)?;
                Ok($name(text.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

checked_text!(
    /// A node name: a DNS-1123 subdomain ([`node_name`]).
    NodeName,
    node_name
);
checked_text!(
    /// A cluster name ([`cluster`]).
    ClusterName,
    cluster
);
checked_text!(
    /// A Kubernetes label key ([`label_key`]).
    LabelKey,
    label_key
);
checked_text!(
    /// A GPU UUID as NVML prints it ([`gpu_uuid`]).
    GpuUuid,
    gpu_uuid
);
checked_text!(
    /// A PCI bus id ([`pci_bus_id`]).
    PciBusId,
    pci_bus_id
);
checked_text!(
    /// A MIG profile name such as `3g.40gb` ([`mig_profile_name`]).
    MigProfileName,
    mig_profile_name
);

/// A `key=value` label, both halves checked ([`label_pair`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    pub key: String,
    pub value: String,
}

impl Label {
    pub(crate) fn parse(text: &str) -> Result<Label> {
        let (key, value) = label_pair(text)?;
        Ok(Label { key, value })
    }
}

/// A number of zero or more, such as a price.
pub(crate) fn non_negative_number(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(Error::usage(format!(
            "invalid number {}: expected a number, zero or more",
            quote(text)
        ))),
    }
}

/// A percentage from 0 to 100.
pub(crate) fn percentage(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(Error::usage(format!(
            "invalid percentage {}: expected a number from 0 to 100",
            quote(text)
        ))),
    }
}

/// A receiver name: a DNS-1123 label (at most 63 lower-case letters, digits and `-`).
pub(crate) fn receiver_name(name: &str) -> Result<()> {
    if name.len() <= LABEL_NAME_MAX && !name.contains('.') && is_dns_subdomain(name) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid receiver name {}: must be at most {LABEL_NAME_MAX} lower-case letters, digits and '-', starting and ending with a letter or digit",
        quote(name)
    )))
}

/// The longest URL a receiver may have.
const URL_MAX_CHARS: usize = 2_048;

/// An http or https URL with a host, without credentials (they belong in a file or a variable,
/// not in a URL that `receivers list` shows).
pub(crate) fn http_url(text: &str) -> Result<()> {
    let invalid = |why: &str| Error::usage(format!("invalid URL {}: {why}", quote(text)));
    if text.len() > URL_MAX_CHARS {
        return Err(invalid(&format!("longer than {URL_MAX_CHARS} characters")));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it contains a space or a control character"));
    }
    let uri: ureq::http::Uri = text
        .parse()
        .map_err(|_| invalid("expected http://HOST[:PORT][/PATH] or https://…"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(invalid("expected an http:// or https:// URL"));
    }
    let Some(authority) = uri.authority() else {
        return Err(invalid("it names no host"));
    };
    if authority.as_str().contains('@') {
        return Err(invalid("it carries credentials").with_hint(
            "give them with --basic-auth-user and a password file or variable, or a bearer token",
        ));
    }
    if authority.host().is_empty() {
        return Err(invalid("it names no host"));
    }
    Ok(())
}

/// An environment variable's name: `[A-Za-z_][A-Za-z0-9_]*`, at most 255 characters.
pub(crate) fn env_var_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid environment variable name {}: expected letters, digits and '_', not starting with a digit",
        quote(name)
    )))
}

checked_text!(
    /// An alert receiver's name ([`receiver_name`]).
    ReceiverName,
    receiver_name
);
checked_text!(
    /// An http or https URL without credentials ([`http_url`]).
    HttpUrl,
    http_url
);
checked_text!(
    /// An environment variable's name ([`env_var_name`]).
    EnvVarName,
    env_var_name
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_settings_are_checked_and_named_in_errors() {
        for good in ["am", "ops-hook-2", "0"] {
            assert!(receiver_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Ops", "a.b", "-a", "a_b", &"a".repeat(64)] {
            let e = receiver_name(bad).unwrap_err();
            assert!(e.message.contains(&quote(bad)), "{}", e.message);
        }
        for good in [
            "http://127.0.0.1:9093",
            "https://am.example.com/alertmanager/",
            "http://[::1]:8080/hook?x=1",
        ] {
            assert!(http_url(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("am:9093", "expected an http:// or https:// URL"),
            ("ftp://h/", "expected an http:// or https:// URL"),
            ("http://user:pw@h/", "it carries credentials"),
            ("http://h/a b", "it contains a space or a control character"),
            (
                "http:///path",
                "expected http://HOST[:PORT][/PATH] or https://…",
            ),
            ("not a url", "it contains a space or a control character"),
        ] {
            let e = http_url(bad).unwrap_err();
            assert_eq!(e.message, format!("invalid URL {}: {why}", quote(bad)));
        }
        assert!(env_var_name("AM_TOKEN_2").is_ok());
        for bad in ["", "2X", "A-B", "A B"] {
            assert_eq!(env_var_name(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn node_names_follow_dns_1123_subdomains() {
        for good in ["gpu-node-1", "a", "node.example.com", "0node9"] {
            assert!(node_name(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(254);
        assert!(quote(&too_long).ends_with("… (254 characters)'"));
        for bad in [
            "",
            "GPU-node",
            "-node",
            "node-",
            "no_de",
            "a..b",
            ".a",
            too_long.as_str(),
        ] {
            let e = node_name(bad).unwrap_err();
            assert!(e.message.contains(&quote(bad)), "{}", e.message);
        }
    }

    #[test]
    fn label_keys_and_values_follow_kubernetes() {
        assert!(label_pair("nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3").is_ok());
        assert!(label_pair("zone=").is_ok());
        assert!(label_pair("topology.kubernetes.io/zone=us-east-1a").is_ok());
        assert!(label_pair("Bad Key=x").is_err());
        assert!(label_pair("UPPER.example/x=y").is_err());
        assert!(label_pair("k=-bad").is_err());
        assert!(label_pair("novalue").is_err());
    }

    #[test]
    fn gpu_ids_follow_nvidia_smi() {
        assert!(gpu_uuid("GPU-1a2b3c4d-0000-1111-2222-333344445555").is_ok());
        assert!(gpu_uuid("1a2b").is_err());
        assert!(gpu_uuid("GPU-").is_err());
        assert!(gpu_uuid("GPU-xyz").is_err());
        assert!(pci_bus_id("00000000:17:00.0").is_ok());
        assert!(pci_bus_id("17:00.0").is_ok());
        assert!(pci_bus_id("17:00").is_err());
        assert!(mig_profile_name("3g.40gb").is_ok());
        assert!(mig_profile_name("1g.10gb+me").is_ok());
        assert!(mig_profile_name("3g").is_err());
        assert!(mig_profile_name("g.40gb").is_err());
    }

    #[test]
    fn device_uuids_are_gpu_or_mig_uuids() {
        for good in [
            "GPU-1a2b3c4d-0000-1111-2222-333344445555",
            "MIG-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
            "MIG-GPU-1a2b3c4d-0000-1111-2222-333344445555/1/0",
        ] {
            assert!(device_uuid(good).is_ok(), "{good}");
        }
        let long = format!("GPU-{}", "a".repeat(100));
        for bad in [
            "hello",
            "GPU-",
            "MIG-",
            "GPU-xyz",
            "GPU-1'; DROP TABLE nodes; --",
            "MIG-GPU-1a2b/1",
            "MIG-GPU-1a2b/1/x",
            "$(reboot)",
            long.as_str(),
        ] {
            let e = device_uuid(bad).unwrap_err();
            assert!(e.message.contains("invalid GPU UUID"), "{}", e.message);
        }
    }

    #[test]
    fn free_text_is_one_line_without_control_characters() {
        assert!(one_line("role", "gpu worker (A100s)").is_ok());
        for (bad, why) in [
            ("", "one non-empty line"),
            ("a\nb", "one non-empty line"),
            ("a\x1b]52;c;x\x07", r"control character \e"),
            ("tab\there", r"control character \t"),
            ("c1\u{9b}2J", r"control character \u{9b}"),
        ] {
            let e = one_line("role", bad).unwrap_err();
            assert!(e.message.contains(why), "{bad:?}: {}", e.message);
            assert!(!e.message.chars().any(crate::terminal::is_control));
        }
        let long = "r".repeat(TEXT_MAX_CHARS + 1);
        let e = one_line("role", &long).unwrap_err();
        assert!(e.message.contains("(1025 characters)"), "{}", e.message);
        assert!(e.message.contains("longer than 1024"), "{}", e.message);
    }

    #[test]
    fn checked_types_hold_what_their_check_accepts() {
        assert_eq!(NodeName::parse("gpu-1").unwrap().as_str(), "gpu-1");
        assert!(NodeName::parse("GPU_1").is_err());
        assert_eq!(&*ClusterName::parse("prod").unwrap(), "prod");
        let label = Label::parse("zone=a").unwrap();
        assert_eq!((label.key.as_str(), label.value.as_str()), ("zone", "a"));
        assert!(Label::parse("zone").is_err());
        assert_eq!(non_negative_number(" 0.25").unwrap(), 0.25);
        for bad in ["-1", "cheap", "inf", "NaN"] {
            assert!(non_negative_number(bad).is_err(), "{bad}");
        }
        assert_eq!(percentage("100").unwrap(), 100.0);
        assert!(percentage("101").is_err());
        assert!(percentage("-0.5").is_err());
    }

    #[test]
    fn ips_are_canonical() {
        assert_eq!(ip("10.0.0.1").unwrap(), "10.0.0.1");
        assert_eq!(ip("2001:DB8::1").unwrap(), "2001:db8::1");
        assert!(ip("10.0.0.256").is_err());
    }
}
