//! Checks on names and values users type, each failing with a usage error that names the value.

use std::net::IpAddr;

use crate::error::{Error, Result};

const DNS_SUBDOMAIN_MAX: usize = 253;
const LABEL_NAME_MAX: usize = 63;

/// A Kubernetes node name: a DNS-1123 subdomain (lower case, digits, `-` and `.`, ≤ 253 chars,
/// each dot-separated part starting and ending with a letter or digit).
pub fn node_name(name: &str) -> Result<()> {
    if is_dns_subdomain(name) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid node name '{name}': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most {DNS_SUBDOMAIN_MAX} characters)"
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
pub fn label_key(key: &str) -> Result<()> {
    let valid = match key.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_label_name(name),
        None => is_label_name(key),
    };
    if valid {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid label key '{key}': must be [prefix/]name, name at most {LABEL_NAME_MAX} of [A-Za-z0-9._-] starting and ending alphanumeric, prefix a DNS subdomain"
    )))
}

/// A Kubernetes label value: empty, or like a key's name part.
pub fn label_value(key: &str, value: &str) -> Result<()> {
    if value.is_empty() || is_label_name(value) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid value '{value}' for label '{key}': at most {LABEL_NAME_MAX} of [A-Za-z0-9._-], starting and ending alphanumeric"
    )))
}

/// `key=value` as given to `--label`; both halves checked.
pub fn label_pair(text: &str) -> Result<(String, String)> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(Error::usage(format!(
            "invalid label '{text}': expected key=value"
        )));
    };
    label_key(key)?;
    label_value(key, value)?;
    Ok((key.to_string(), value.to_string()))
}

/// An IPv4 or IPv6 address, returned in canonical form.
pub fn ip(text: &str) -> Result<String> {
    text.parse::<IpAddr>()
        .map(|a| a.to_string())
        .map_err(|_| Error::usage(format!("invalid IP address '{text}'")))
}

/// A cluster name: 1–63 of `[A-Za-z0-9._-]`.
pub fn cluster(name: &str) -> Result<()> {
    if is_label_name(name) {
        return Ok(());
    }
    Err(Error::usage(format!(
        "invalid cluster name '{name}': expected 1-{LABEL_NAME_MAX} of [A-Za-z0-9._-], starting and ending alphanumeric"
    )))
}

/// Free text such as a role, a version or a reason: one line, not empty.
pub fn one_line(what: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.contains(['\n', '\r']) {
        return Err(Error::usage(format!(
            "invalid {what} '{}': must be one non-empty line",
            text.escape_debug()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_follow_dns_1123_subdomains() {
        for good in ["gpu-node-1", "a", "node.example.com", "0node9"] {
            assert!(node_name(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(254);
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
            assert!(e.message.contains(&format!("'{bad}'")), "{}", e.message);
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
    fn ips_are_canonical() {
        assert_eq!(ip("10.0.0.1").unwrap(), "10.0.0.1");
        assert_eq!(ip("2001:DB8::1").unwrap(), "2001:db8::1");
        assert!(ip("10.0.0.256").is_err());
    }
}
