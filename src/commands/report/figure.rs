//! Report figures rounded to what they mean, the same in the table, JSON and CSV: GPU-hours and
//! money to 0.01 (money to the cent of whatever currency the models' prices are in), energy to
//! 0.001 kWh (1 Wh), percentages to 0.1 and ratios to 0.001 (0.1 %). A row is rounded once, before
//! it is added to its total, so the figures printed add up; and no figure is ever `-0`.

/// Decimals of GPU-hours.
pub(super) const GPU_HOURS: usize = 2;
/// Decimals of money: a currency's cents.
pub(super) const MONEY: usize = 2;
/// Decimals of energy in kWh.
pub(super) const KWH: usize = 3;
/// Decimals of a percentage (utilisation).
pub(super) const PERCENT: usize = 1;
/// Decimals of a ratio 0–1, shown as a percentage to 0.1.
pub(super) const RATIO: usize = 3;

/// A figure or an unknown one, rounded to `decimals`.
pub(super) trait Round {
    fn rounded(self, decimals: usize) -> Self;
}

impl Round for f64 {
    fn rounded(self, decimals: usize) -> f64 {
        // 10^decimals is exact for the few decimals used here; `+ 0.0` turns -0 into 0.
        let scale = 10_f64.powi(decimals as i32);
        (self * scale).round() / scale + 0.0
    }
}

impl Round for Option<f64> {
    fn rounded(self, decimals: usize) -> Option<f64> {
        self.map(|value| value.rounded(decimals))
    }
}

/// A table cell's text: the figure with exactly `decimals` decimals, or `-` when unknown.
pub(super) fn text(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(
        || "-".to_string(),
        |v| format!("{:.decimals$}", v.rounded(decimals)),
    )
}

/// A ratio as a percentage to 0.1 (`42.5%`), or `-` when unknown.
pub(super) fn percent_text(ratio: Option<f64>) -> String {
    ratio.map_or_else(
        || "-".to_string(),
        |r| format!("{:.1}%", (r * 100.0).rounded(PERCENT)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_what_a_figure_means_and_never_prints_negative_zero() {
        assert_eq!(0.022_500_000_000_000_003.rounded(MONEY), 0.02);
        assert_eq!((6.0 / 7.0).rounded(GPU_HOURS), 0.86);
        assert_eq!((0.4 * 3.0 / 7.0).rounded(KWH), 0.171);
        assert_eq!(2.675_000_1.rounded(MONEY), 2.68);
        let negative_zero = [0.0_f64; 0].iter().sum::<f64>();
        assert!(negative_zero.is_sign_negative(), "an empty sum is -0");
        assert!(negative_zero.rounded(MONEY).is_sign_positive());
        assert!((-0.001_f64).rounded(MONEY).is_sign_positive());
        assert_eq!(text(Some(-0.001), MONEY), "0.00");
        assert_eq!(text(Some(negative_zero), MONEY), "0.00");
        assert_eq!(text(None, MONEY), "-");
        assert_eq!(
            serde_json::to_string(&0.1_f64.rounded(MONEY)).unwrap(),
            "0.1"
        );
        assert_eq!(
            serde_json::to_string(&(0.1 + 0.2_f64).rounded(MONEY)).unwrap(),
            "0.3"
        );
        assert_eq!(percent_text(Some(0.3337)), "33.4%");
        assert_eq!(percent_text(Some(-0.0001)), "0.0%");
        assert_eq!(Some(1.234_56).rounded(PERCENT), Some(1.2));
        assert_eq!(None::<f64>.rounded(RATIO), None);
    }
}
