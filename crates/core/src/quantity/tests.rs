use super::*;
use crate::test_support::Rng;

const KI: i128 = 1024;

fn milli(text: &str) -> i128 {
    match Amount::parse(text) {
        Ok(amount) => amount.milli(),
        Err(error) => panic!("{text:?} should parse: {error}"),
    }
}

#[test]
fn parses_every_suffix_form() {
    let cases: &[(&str, i128)] = &[
        ("0", 0),
        ("1", 1000),
        ("1500m", 1500),
        ("1.5", 1500),
        ("0.1", 100),
        (".5", 500),
        ("5.", 5000),
        ("+5", 5000),
        ("-1.5", -1500),
        ("00012", 12_000),
        ("1k", 1_000_000),
        ("1M", 1_000_000_000),
        ("2G", 2_000_000_000_000),
        ("1T", 10i128.pow(15)),
        ("1P", 10i128.pow(18)),
        ("1E", 10i128.pow(21)),
        ("1Ki", KI * 1000),
        ("1Mi", KI.pow(2) * 1000),
        ("1.5Gi", 3 * KI.pow(3) * 1000 / 2),
        ("16Gi", 16 * KI.pow(3) * 1000),
        ("1Ti", KI.pow(4) * 1000),
        ("1Pi", KI.pow(5) * 1000),
        ("1Ei", KI.pow(6) * 1000),
        ("100Ei", 100 * KI.pow(6) * 1000),
        ("94284368Ki", 94_284_368 * KI * 1000),
        ("1e3", 1_000_000),
        ("1E3", 1_000_000),
        ("1e+3", 1_000_000),
        ("1.5e3", 1_500_000),
        ("12.3456e2", 1_234_560),
        ("1e-3", 1),
        ("1e0", 1000),
        ("0e999999", 0),
        ("1e35", 10i128.pow(38)),
        ("1.G", 1_000_000_000_000),
    ];
    for &(text, expected) in cases {
        assert_eq!(milli(text), expected, "{text}");
    }
}

#[test]
fn rounds_sub_milli_values_up_away_from_zero() {
    assert_eq!(milli("1n"), 1);
    assert_eq!(milli("1u"), 1);
    assert_eq!(milli("999u"), 1);
    assert_eq!(milli("1001u"), 2);
    assert_eq!(milli("0.1m"), 1);
    assert_eq!(milli("-0.1m"), -1);
    assert_eq!(milli("1e-4"), 1);
    assert_eq!(milli("1e-999999999"), 1);
    assert_eq!(milli("0.0000000000000000000000000000000000000000001"), 1);
    assert_eq!(milli("0.0000001Ki"), 1);
    assert_eq!(milli("2.0001"), 2001);
    assert_eq!(milli("2.000"), 2000);
}

#[test]
fn rejects_malformed_input_with_explicit_errors() {
    assert_eq!(Amount::parse(""), Err(QuantityError::Empty));
    for text in [
        "-", "+", ".", "abc", "Gi", " 1", "1 ", "1 Gi", "--1", "1.2.3", "1,5", "١", "1\u{0}",
    ] {
        assert!(
            matches!(
                Amount::parse(text),
                Err(QuantityError::Malformed { .. } | QuantityError::UnknownSuffix { .. })
            ),
            "{text:?} -> {:?}",
            Amount::parse(text)
        );
    }
    for text in [
        "1KB", "1i", "1kk", "1e", "1e+", "1ee3", "1e3.5", "1Gi ", "1Ki2", "1e--3",
    ] {
        assert!(
            matches!(
                Amount::parse(text),
                Err(QuantityError::UnknownSuffix { .. })
            ),
            "{text:?} -> {:?}",
            Amount::parse(text)
        );
    }
    assert!(matches!(
        Amount::parse("1e99999999999999999999"),
        Err(QuantityError::Malformed { .. })
    ));
    for text in [
        "1e36",
        "1000000000000000000000000000000000000000",
        "999999999999999999Ei",
        "1e999999999",
    ] {
        assert!(
            matches!(Amount::parse(text), Err(QuantityError::OutOfRange { .. })),
            "{text:?} -> {:?}",
            Amount::parse(text)
        );
    }
}

#[test]
fn long_inputs_give_short_errors() {
    let long = "9".repeat(10_000);
    let error = Amount::parse(&long).expect_err("too large");
    assert!(error.to_string().len() < 200, "{error}");
}

#[test]
fn formats_like_kubernetes() {
    let gi = KI.pow(3) * 1000;
    let cases: &[(i128, Format, &str)] = &[
        (0, Format::DecimalSi, "0"),
        (0, Format::BinarySi, "0"),
        (1500, Format::DecimalSi, "1500m"),
        (3200, Format::DecimalSi, "3200m"),
        (4000, Format::DecimalSi, "4"),
        (120_500, Format::DecimalSi, "120500m"),
        (73_500, Format::DecimalSi, "73500m"),
        (200_000, Format::DecimalSi, "200"),
        (5_500_000, Format::DecimalSi, "5500"),
        (1_000_000, Format::DecimalSi, "1k"),
        (2_000_000_000, Format::DecimalSi, "2M"),
        (10i128.pow(21), Format::DecimalSi, "1E"),
        (10i128.pow(24), Format::DecimalSi, "1e21"),
        (-2500, Format::DecimalSi, "-2500m"),
        (9 * gi, Format::BinarySi, "9Gi"),
        (16 * gi, Format::BinarySi, "16Gi"),
        (-2 * gi, Format::BinarySi, "-2Gi"),
        (94_284_368 * KI * 1000, Format::BinarySi, "94284368Ki"),
        (1536 * KI.pow(2) * 1000, Format::BinarySi, "1536Mi"),
        (575_184_716_263_000, Format::BinarySi, "575184716263"),
        (512_000, Format::BinarySi, "512"),
        (1_000_000, Format::BinarySi, "1k"),
        (1500, Format::BinarySi, "1500m"),
        (1024 * KI.pow(6) * 1000, Format::BinarySi, "1024Ei"),
        (
            i128::MAX,
            Format::DecimalSi,
            "170141183460469231731687303715884105727m",
        ),
    ];
    for &(value, format, expected) in cases {
        assert_eq!(
            Amount::from_milli(value).format(format),
            expected,
            "{value} {format:?}"
        );
    }
}

#[test]
fn formats_per_resource_name() {
    assert_eq!(Format::for_resource("memory"), Format::BinarySi);
    assert_eq!(Format::for_resource("ephemeral-storage"), Format::BinarySi);
    assert_eq!(Format::for_resource("hugepages-2Mi"), Format::BinarySi);
    assert_eq!(Format::for_resource("cpu"), Format::DecimalSi);
    assert_eq!(Format::for_resource("pods"), Format::DecimalSi);
    assert_eq!(Format::for_resource("nvidia.com/gpu"), Format::DecimalSi);
}

/// A random amount with a good spread of magnitudes, signs and binary/decimal factors.
fn random_amount(rng: &mut Rng) -> i128 {
    let value = match rng.below(4) {
        0 => i128::from(rng.below(1_000_000)),
        1 => i128::from(rng.below(100_000)) * KI.pow(rng.below(7) as u32) * 1000,
        2 => i128::from(rng.below(10_000)) * 10i128.pow(rng.below(30) as u32),
        _ => {
            let bits = rng.below(127) as u32;
            (i128::from(rng.next_u64()) << 64 | i128::from(rng.next_u64())) >> (127 - bits)
        }
    };
    if rng.chance(1, 4) { -value } else { value }
}

#[test]
fn format_then_parse_round_trips() {
    let mut rng = Rng::new(0x5eed_0001);
    for _ in 0..20_000 {
        let value = random_amount(&mut rng);
        for format in [Format::DecimalSi, Format::BinarySi] {
            let text = Amount::from_milli(value).format(format);
            let back = Amount::parse(&text).map(Amount::milli);
            assert_eq!(back, Ok(value), "{value} -> {text:?}");
            // Canonical: formatting the parsed value again gives the same text.
            assert_eq!(Amount::from_milli(value).format(format), text);
        }
    }
}

#[test]
fn parse_matches_an_independent_computation() {
    // "<int>.<frac><suffix>" computed by plain integer arithmetic: ceil(n × scale / 10^len).
    let mut rng = Rng::new(0x5eed_0002);
    let decimal = [
        ("n", -9i32),
        ("u", -6),
        ("m", -3),
        ("", 0),
        ("k", 3),
        ("M", 6),
        ("G", 9),
        ("T", 12),
    ];
    let binary = [
        ("Ki", 1u32),
        ("Mi", 2),
        ("Gi", 3),
        ("Ti", 4),
        ("Pi", 5),
        ("Ei", 6),
    ];
    for _ in 0..20_000 {
        let int = rng.below(1_000_000);
        let frac_len = rng.below(7) as u32;
        let frac = rng.below(10u64.pow(frac_len));
        let number = if frac_len == 0 {
            int.to_string()
        } else {
            format!("{int}.{frac:0width$}", width = frac_len as usize)
        };
        let scaled = i128::from(int) * 10i128.pow(frac_len) + i128::from(frac);
        let (suffix, numerator, denominator) = if rng.chance(1, 2) {
            let (suffix, exponent) = *rng.pick(&decimal);
            let total = exponent + 3 - frac_len as i32;
            if total >= 0 {
                (suffix.to_owned(), scaled * 10i128.pow(total as u32), 1)
            } else {
                (suffix.to_owned(), scaled, 10i128.pow((-total) as u32))
            }
        } else if rng.chance(1, 2) {
            let (suffix, power) = *rng.pick(&binary);
            (
                suffix.to_owned(),
                scaled * KI.pow(power) * 1000,
                10i128.pow(frac_len),
            )
        } else {
            let exponent = rng.below(20) as i32 - 10;
            let total = exponent + 3 - frac_len as i32;
            let suffix = format!("e{exponent}");
            if total >= 0 {
                (suffix, scaled * 10i128.pow(total as u32), 1)
            } else {
                (suffix, scaled, 10i128.pow((-total) as u32))
            }
        };
        let expected = (numerator + denominator - 1) / denominator;
        let text = format!("{number}{suffix}");
        assert_eq!(milli(&text), expected, "{text}");
        assert_eq!(milli(&format!("-{text}")), -expected, "-{text}");
    }
}

#[test]
fn no_input_panics() {
    let alphabet: Vec<char> = "0123456789.+-eEikKMGTPnum "
        .chars()
        .chain(['é', '\u{0}'])
        .collect();
    let mut rng = Rng::new(0x5eed_0003);
    for _ in 0..100_000 {
        let len = rng.index(14);
        let text: String = (0..len).map(|_| *rng.pick(&alphabet)).collect();
        // Whatever the outcome, it must be a value or an error, and a value must print back.
        if let Ok(amount) = Amount::parse(&text) {
            let printed = amount.format(Format::BinarySi);
            assert_eq!(
                Amount::parse(&printed),
                Ok(amount),
                "{text:?} -> {printed:?}"
            );
        }
    }
}

#[test]
fn arithmetic_saturates_instead_of_wrapping() {
    let one = Amount::from_units(1);
    assert_eq!(Amount::MAX.saturating_add(one), Amount::MAX);
    assert_eq!(Amount::MIN.saturating_sub(one), Amount::MIN);
    assert_eq!(Amount::MAX.checked_add(one), None);
    assert_eq!(Amount::MIN.checked_sub(one), None);
    assert_eq!(Amount::MAX.saturating_mul(2), Amount::MAX);
    assert_eq!(one.checked_add(one), Some(Amount::from_units(2)));
    assert_eq!(Amount::from_milli(-5).clamp_non_negative(), Amount::ZERO);
    assert_eq!(Amount::from_milli(1500).units_ceil(), 2);
    assert_eq!(Amount::from_milli(-1500).units_ceil(), -1);
    assert_eq!(Amount::from_milli(2000).units_ceil(), 2);
    assert_eq!(Amount::MAX.units_ceil_i64(), i64::MAX);
    assert_eq!(Amount::MIN.units_ceil_i64(), i64::MIN);
}

#[test]
fn percent_rounds_down_and_handles_edges() {
    let p = |a: &str, b: &str| percent(Amount::parse(a).expect("a"), Amount::parse(b).expect("b"));
    assert_eq!(p("3200m", "4"), 80);
    assert_eq!(p("9Gi", "16Gi"), 56);
    assert_eq!(p("120500m", "196"), 61);
    assert_eq!(p("1", "3"), 33);
    assert_eq!(p("2", "3"), 66);
    assert_eq!(p("5", "0"), 0);
    assert_eq!(p("5", "-1"), 0);
    assert_eq!(p("0", "0"), 0);
    assert_eq!(p("8", "4"), 200);
    assert_eq!(p("-1", "3"), -34);
    assert_eq!(percent(Amount::MAX, Amount::from_milli(1)), i32::MAX);
    assert_eq!(percent(Amount::MIN, Amount::from_milli(1)), i32::MIN);
    assert_eq!(percent(Amount::from_milli(i128::MAX - 1), Amount::MAX), 99);
}

/// Regression (property `format_then_parse_round_trips`): `Amount::MIN`, where saturating
/// sums stop, printed as `-170141183460469231731687303715884105728m`, which did not parse back
/// (the magnitude 2¹²⁷ was checked against `i128::MAX` before the sign was applied).
#[test]
fn the_saturation_bounds_print_and_parse_back() {
    for amount in [Amount::MAX, Amount::MIN] {
        for format in [Format::DecimalSi, Format::BinarySi] {
            let text = amount.format(format);
            assert_eq!(Amount::parse(&text), Ok(amount), "{text}");
        }
    }
    assert_eq!(
        Amount::MIN.format(Format::DecimalSi),
        "-170141183460469231731687303715884105728m"
    );
    for text in [
        "-170141183460469231731687303715884105729m",
        "170141183460469231731687303715884105728m",
        "-1e36",
    ] {
        assert!(
            matches!(Amount::parse(text), Err(QuantityError::OutOfRange { .. })),
            "{text:?} -> {:?}",
            Amount::parse(text)
        );
    }
}

/// Regression (property `valid_quantities_parse_exactly`): the exponent `-9223372036854775808`
/// (`i64::MIN`, which Go's `ParseInt` accepts) was rejected as out of range because its
/// magnitude was accumulated as a positive `i64`.
#[test]
fn every_i64_exponent_is_accepted() {
    assert_eq!(milli(".0e-9223372036854775808"), 0);
    assert_eq!(milli("5e-9223372036854775808"), 1);
    assert!(matches!(
        Amount::parse("5e9223372036854775807"),
        Err(QuantityError::OutOfRange { .. })
    ));
    assert!(matches!(
        Amount::parse("5e-9223372036854775809"),
        Err(QuantityError::Malformed { .. })
    ));
}
