//! Finds personal data in a customer's text and replaces it with a typed placeholder
//! (`[手机号]`, `[phone]` …) before anything is stored, embedded, grouped, logged or exported.
//!
//! Detection runs on a folded copy of the text (full-width digits and letters read as ASCII, one
//! character for one, so positions carry back to the original). Numbers are read as runs of
//! digit groups that the separators people type (spaces, dashes, brackets) join, and a run is
//! personal only as a whole and only in a layout such numbers are written in: an order number
//! beside a phone number stays, and a number is never cut out of a longer one. Checksums decide
//! where the format has one: an ID number whose check digit is wrong, or a 16-digit number that
//! fails Luhn, is left as it is.

use std::borrow::Cow;
use std::net::Ipv6Addr;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use crate::views::Detector;

fn placeholder(d: Detector, chinese: bool) -> &'static str {
    match (d, chinese) {
        (Detector::Phone, true) => "[手机号]",
        (Detector::Phone, false) => "[phone]",
        (Detector::Landline, true) => "[固定电话]",
        (Detector::Landline, false) => "[landline]",
        (Detector::IdCard, true) => "[身份证号]",
        (Detector::IdCard, false) => "[id number]",
        (Detector::BankCard, true) => "[银行卡号]",
        (Detector::BankCard, false) => "[card number]",
        (Detector::Email, true) => "[邮箱]",
        (Detector::Email, false) => "[email]",
        (Detector::Ip, true) => "[IP地址]",
        (Detector::Ip, false) => "[ip address]",
    }
}

/// A pattern an admin adds (`[[privacy.patterns]]`): a regular expression and its placeholders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternSetting {
    /// What it finds, for the editor's warning and the logs (e.g. "member number").
    pub name: String,
    /// A regular expression (Rust `regex` syntax), matched on the text with full-width
    /// characters read as ASCII.
    pub pattern: String,
    /// Shown instead of the match in a Chinese text (default `[name]`).
    #[serde(default)]
    pub placeholder_zh: Option<String>,
    /// Shown instead of the match in any other text (default `[name]`).
    #[serde(default)]
    pub placeholder_en: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MaskError {
    #[error("privacy pattern {name:?} is not a valid regular expression: {reason}")]
    BadPattern { name: String, reason: String },
    #[error("privacy pattern {name:?} matches the empty text; it must match at least one character")]
    EmptyMatch { name: String },
}

/// What was found: a built-in detector or the admin's pattern (by its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Builtin(Detector),
    Pattern(String),
}

/// A piece of personal data in a text: byte range in the original text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub found: Found,
}

struct Custom {
    name: String,
    regex: Regex,
    zh: String,
    en: String,
}

/// The detectors a deployment runs. Cheap to share; build it once.
pub struct Masker {
    enabled: Vec<Detector>,
    custom: Vec<Custom>,
    email: Regex,
    ipv4: Regex,
    ipv6: Regex,
}

impl Default for Masker {
    /// Every built-in detector, no patterns of the admin's.
    fn default() -> Self {
        Masker::new(Detector::ALL, &[]).expect("built-in detectors compile")
    }
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.custom.iter().map(|c| c.name.as_str()).collect();
        f.debug_struct("Masker").field("enabled", &self.enabled).field("patterns", &names).finish()
    }
}

impl Masker {
    pub fn new(enabled: &[Detector], patterns: &[PatternSetting]) -> Result<Masker, MaskError> {
        let mut custom = Vec::with_capacity(patterns.len());
        for p in patterns {
            let regex = Regex::new(&p.pattern)
                .map_err(|e| MaskError::BadPattern { name: p.name.clone(), reason: e.to_string() })?;
            if regex.is_match("") {
                return Err(MaskError::EmptyMatch { name: p.name.clone() });
            }
            let default = format!("[{}]", p.name);
            custom.push(Custom {
                name: p.name.clone(),
                regex,
                zh: p.placeholder_zh.clone().unwrap_or_else(|| default.clone()),
                en: p.placeholder_en.clone().unwrap_or(default),
            });
        }
        let compile = |r: &str| Regex::new(r).expect("built-in pattern compiles");
        Ok(Masker {
            enabled: enabled.to_vec(),
            custom,
            email: compile(
                r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}",
            ),
            ipv4: compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
            ipv6: compile(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"),
        })
    }

    /// A masker that finds nothing (masking switched off).
    pub fn off() -> Masker {
        Masker::new(&[], &[]).expect("no patterns")
    }

    /// The built-in detectors that run (none when masking is off).
    pub fn detectors(&self) -> &[Detector] {
        &self.enabled
    }

    /// The names of the admin's patterns.
    pub fn patterns(&self) -> Vec<String> {
        self.custom.iter().map(|c| c.name.clone()).collect()
    }

    fn runs(&self, d: Detector) -> bool {
        self.enabled.contains(&d)
    }

    /// The text with every piece of personal data replaced by its placeholder, in the text's
    /// language (Chinese when it has any Chinese character). Borrowed when nothing was found.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let findings = self.findings(text);
        if findings.is_empty() {
            return Cow::Borrowed(text);
        }
        let chinese = text.chars().any(crate::script::is_cjk);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in &findings {
            out.push_str(&text[at..f.start]);
            out.push_str(match &f.found {
                Found::Builtin(d) => placeholder(*d, chinese),
                Found::Pattern(name) => {
                    let c = self.custom.iter().find(|c| &c.name == name).expect("found by this masker");
                    if chinese {
                        &c.zh
                    } else {
                        &c.en
                    }
                }
            });
            at = f.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Every piece of personal data in `text`, in order, none overlapping.
    pub fn findings(&self, text: &str) -> Vec<Finding> {
        if self.enabled.is_empty() && self.custom.is_empty() {
            return Vec::new();
        }
        let folded = Folded::new(text);
        // Char ranges in the folded text; what is found first wins an overlap.
        let mut spans: Vec<(usize, usize, Found)> = Vec::new();
        for c in &self.custom {
            for m in c.regex.find_iter(&folded.text) {
                spans.push((
                    folded.char_at(m.start()),
                    folded.char_at(m.end()),
                    Found::Pattern(c.name.clone()),
                ));
            }
        }
        if self.runs(Detector::Email) && folded.text.contains('@') {
            for m in self.email.find_iter(&folded.text) {
                spans.push((
                    folded.char_at(m.start()),
                    folded.char_at(m.end()),
                    Found::Builtin(Detector::Email),
                ));
            }
        }
        if self.runs(Detector::Ip) {
            self.addresses(&folded, &mut spans);
        }
        if folded.chars.iter().any(char::is_ascii_digit) {
            numbers(&folded.chars, &self.enabled, &mut spans);
        }
        spans.sort_by_key(|s| s.0);
        let mut out: Vec<Finding> = Vec::with_capacity(spans.len());
        let mut end = 0;
        for (s, e, found) in spans {
            if s < end || s == e {
                continue;
            }
            end = e;
            out.push(Finding { start: folded.byte_of(s), end: folded.byte_of(e), found });
        }
        out
    }

    fn addresses(&self, folded: &Folded, spans: &mut Vec<(usize, usize, Found)>) {
        let chars = &folded.chars;
        let free = |s: usize, e: usize| {
            let before = s.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(e).copied();
            let next = chars.get(e + 1).copied();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == ':')
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':')
                && !(after == Some('.') && next.is_some_and(|c| c.is_ascii_digit()))
        };
        if folded.text.contains('.') {
            for m in self.ipv4.find_iter(&folded.text) {
                let octets_ok = m.as_str().split('.').all(|o| o.parse::<u8>().is_ok());
                let (s, e) = (folded.char_at(m.start()), folded.char_at(m.end()));
                if octets_ok && free(s, e) {
                    spans.push((s, e, Found::Builtin(Detector::Ip)));
                }
            }
        }
        if folded.text.contains("::") || folded.text.matches(':').count() >= 7 {
            for m in self.ipv6.find_iter(&folded.text) {
                let (s, e) = (folded.char_at(m.start()), folded.char_at(m.end()));
                // "::" alone, or a clock time, parses or nearly: an address has hex groups.
                let hex_digits = m.as_str().chars().filter(char::is_ascii_hexdigit).count();
                if hex_digits >= 4 && m.as_str().parse::<Ipv6Addr>().is_ok() && free(s, e) {
                    spans.push((s, e, Found::Builtin(Detector::Ip)));
                }
            }
        }
    }
}

/// The text with full-width forms read as ASCII, one char for one, and where each char is.
struct Folded {
    text: String,
    chars: Vec<char>,
    /// Byte offset in the folded text of each char, and its length at the end.
    folded_at: Vec<usize>,
    /// Byte offset in the original text of each char, and its length at the end.
    original_at: Vec<usize>,
}

impl Folded {
    fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut chars = Vec::with_capacity(original.len());
        let mut folded_at = Vec::with_capacity(original.len() + 1);
        let mut original_at = Vec::with_capacity(original.len() + 1);
        for (i, c) in original.char_indices() {
            let c = match c {
                '\u{3000}' => ' ',
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                // Dashes people type between digit groups.
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                _ => c,
            };
            folded_at.push(text.len());
            original_at.push(i);
            text.push(c);
            chars.push(c);
        }
        folded_at.push(text.len());
        original_at.push(original.len());
        Folded { text, chars, folded_at, original_at }
    }

    /// The char index at a byte offset of the folded text (a char boundary).
    fn char_at(&self, byte: usize) -> usize {
        self.folded_at.binary_search(&byte).unwrap_or_else(|i| i)
    }

    fn byte_of(&self, char_index: usize) -> usize {
        self.original_at[char_index]
    }
}

/// A run of ASCII digits (an ID number's may end in X), as char indices.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    x_end: bool,
}

/// Separators that join digit groups of one number, one or two of them in a row.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '.')
}

/// Groups joined into the longest number that is personal; the rest are left alone.
fn numbers(chars: &[char], enabled: &[Detector], spans: &mut Vec<(usize, usize, Found)>) {
    let taken = |i: usize, spans: &[(usize, usize, Found)]| spans.iter().any(|s| s.0 <= i && i < s.1);
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || taken(i, spans) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let x_end = i - start == 17 && matches!(chars.get(i), Some('X' | 'x'));
        if x_end {
            i += 1;
        }
        groups.push(Group { start, end: i, x_end });
    }
    // A group may join the next when one or two separators, and nothing else, lie between.
    let joins = |a: &Group, b: &Group| {
        let gap = &chars[a.end..b.start];
        !a.x_end && (1..=2).contains(&gap.len()) && gap.iter().all(|&c| is_separator(c))
    };
    let mut g = 0;
    while g < groups.len() {
        let mut last = g;
        while last + 1 < groups.len() && last - g < 4 && joins(&groups[last], &groups[last + 1]) {
            last += 1;
        }
        let mut matched = None;
        for end in (g..=last).rev() {
            if let Some(d) = classify(chars, &groups[g..=end], enabled) {
                matched = Some((end, d));
                break;
            }
        }
        match matched {
            Some((end, d)) => {
                let mut start = groups[g].start;
                // "+86 138…" and "(010) 1234…": the sign and bracket go with the number.
                if start > 0 && matches!(chars[start - 1], '+' | '(') {
                    start -= 1;
                }
                spans.push((start, groups[end].end, Found::Builtin(d)));
                g = end + 1;
            }
            None => g += 1,
        }
    }
}

/// What the groups, read as one number, are (if personal).
fn classify(chars: &[char], groups: &[Group], enabled: &[Detector]) -> Option<Detector> {
    let lens: Vec<usize> = groups.iter().map(|g| g.end - g.start).collect();
    let digits: String = groups.iter().flat_map(|g| chars[g.start..g.end].iter()).collect();
    let on = |d: Detector| enabled.contains(&d);
    if on(Detector::Phone) && is_mobile(&digits, &lens) {
        return Some(Detector::Phone);
    }
    if on(Detector::IdCard) && is_id_card(&digits, &lens) {
        return Some(Detector::IdCard);
    }
    if looks_like_id(&digits) {
        // An ID number's shape with a wrong check digit: a mistyped number, or not an ID at
        // all; either way it is not any other kind of number.
        return None;
    }
    if on(Detector::BankCard) && is_bank_card(&digits, &lens) {
        return Some(Detector::BankCard);
    }
    if on(Detector::Landline) && is_landline(&digits, &lens) {
        return Some(Detector::Landline);
    }
    None
}

fn is_mobile(digits: &str, lens: &[usize]) -> bool {
    let b = digits.as_bytes();
    let national = |b: &[u8]| b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let layout = |l: &[usize]| matches!(l, [11] | [3, 4, 4] | [3, 8] | [7, 4]);
    if national(b) && layout(lens) {
        return true;
    }
    // With the country code: +86 / 0086 / 86, apart or glued on.
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if !national(rest.as_bytes()) {
                continue;
            }
            if lens.len() == 1 || (lens[0] == prefix.len() && layout(&lens[1..])) {
                return true;
            }
        }
    }
    false
}

fn is_id_card(digits: &str, lens: &[usize]) -> bool {
    matches!(lens, [18] | [6, 8, 4] | [6, 4, 4, 4] | [6, 12]) && looks_like_id(digits) && id_check_ok(digits)
}

/// 18 characters: a region code, a plausible birth date, a sequence and a check character.
fn looks_like_id(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x') || !(b'1'..=b'8').contains(&b[0]) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// GB 11643: weights 2^(17-i) mod 11, check character "10X98765432"[sum mod 11].
fn id_check_ok(digits: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = digits.as_bytes();
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

fn is_bank_card(digits: &str, lens: &[usize]) -> bool {
    let b = digits.as_bytes();
    if !(15..=19).contains(&b.len()) || !(b'3'..=b'6').contains(&b[0]) {
        return false;
    }
    // One block, or blocks of four with a shorter last one (6222 0212 3456 7890 123).
    let layout = lens.len() == 1
        || (lens[..lens.len() - 1].iter().all(|&l| l == 4) && (1..=4).contains(&lens[lens.len() - 1]))
        || matches!(lens, [6, 13] | [6, 12] | [6, 10]);
    layout && luhn_ok(b)
}

fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// An area code (010, 02x, or four digits from 03xx) and a 7- or 8-digit number not starting
/// with 0 or 1.
fn is_landline(digits: &str, lens: &[usize]) -> bool {
    let b = digits.as_bytes();
    if b.first() != Some(&b'0') {
        return false;
    }
    let area = if b.get(1) == Some(&b'1') && b.get(2) == Some(&b'0') || b.get(1) == Some(&b'2') {
        3
    } else if b.get(1).is_some_and(|c| (b'3'..=b'9').contains(c)) {
        4
    } else {
        return false;
    };
    let subscriber = &b[area.min(b.len())..];
    if !(7..=8).contains(&subscriber.len()) || matches!(subscriber[0], b'0' | b'1') {
        return false;
    }
    let rest = subscriber.len();
    match lens {
        [_] => true,
        [a, s] => *a == area && *s == rest,
        [a, s1, s2] => *a == area && s1 + s2 == rest && (3..=4).contains(s1) && *s2 == 4,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(text: &str) -> String {
        Masker::default().mask(text).into_owned()
    }

    #[test]
    fn id_check_digit_follows_the_standard() {
        // The example of GB 11643-1999.
        assert!(id_check_ok("11010519491231002X"));
        assert!(!id_check_ok("110105194912310021"));
        assert!(luhn_ok(b"4111111111111111"));
        assert!(!luhn_ok(b"4111111111111112"));
    }

    #[test]
    fn each_kind_becomes_its_placeholder_in_the_texts_language() {
        assert_eq!(mask("我的手机号13812345678怎么停机了"), "我的手机号[手机号]怎么停机了");
        assert_eq!(mask("call me on +86 138-1234-5678"), "call me on [phone]");
        assert_eq!(mask("身份证11010519491231002X丢了"), "身份证[身份证号]丢了");
        assert_eq!(mask("卡号6222 0212 3456 7894 扣了两次费"), "卡号[银行卡号] 扣了两次费");
        assert_eq!(mask("my card 4111111111111111 was charged"), "my card [card number] was charged");
        assert_eq!(mask("座机010-62345678打不通"), "座机[固定电话]打不通");
        assert_eq!(mask("发到 zhang.san@example.com.cn 吧"), "发到 [邮箱] 吧");
        assert_eq!(mask("ip 192.168.1.20 blocked"), "ip [ip address] blocked");
        assert_eq!(mask("地址 fe80::1ff:fe23:4567:890a 不通"), "地址 [IP地址] 不通");
    }

    #[test]
    fn full_width_digits_and_dashes_are_read_as_digits() {
        assert_eq!(mask("手机１３８１２３４５６７８停机"), "手机[手机号]停机");
        assert_eq!(mask("手机１３８－１２３４－５６７８"), "手机[手机号]");
    }

    #[test]
    fn numbers_that_fail_their_check_stay() {
        assert_eq!(mask("身份证110105194912310021"), "身份证110105194912310021");
        assert_eq!(mask("订单号4111111111111112"), "订单号4111111111111112");
        assert_eq!(mask("编号123456789012"), "编号123456789012");
        assert_eq!(mask("version 1.2.3.4567"), "version 1.2.3.4567");
        assert_eq!(mask("at 10:30:00"), "at 10:30:00");
    }

    #[test]
    fn a_number_is_never_cut_out_of_a_longer_one() {
        assert_eq!(mask("order 213812345678"), "order 213812345678");
        assert_eq!(mask("订单20231201 13812345678"), "订单20231201 [手机号]");
    }

    #[test]
    fn a_phone_number_in_a_url_is_found() {
        assert_eq!(mask("see https://x.cn/u?tel=13812345678&a=1"), "see https://x.cn/u?tel=[phone]&a=1");
    }

    #[test]
    fn detectors_can_be_switched_off_and_patterns_added() {
        let patterns = [PatternSetting {
            name: "member".into(),
            pattern: r"VIP\d{6}".into(),
            placeholder_zh: Some("[会员号]".into()),
            placeholder_en: None,
        }];
        let m = Masker::new(&[Detector::Email], &patterns).unwrap();
        assert_eq!(m.mask("会员VIP123456 手机13812345678"), "会员[会员号] 手机13812345678");
        assert_eq!(m.mask("member ＶＩＰ123456"), "member [member]");
        let bad = PatternSetting {
            name: "x".into(),
            pattern: "(".into(),
            placeholder_zh: None,
            placeholder_en: None,
        };
        assert!(matches!(Masker::new(&[], &[bad]), Err(MaskError::BadPattern { .. })));
        let empty = PatternSetting {
            name: "e".into(),
            pattern: "a*".into(),
            placeholder_zh: None,
            placeholder_en: None,
        };
        assert_eq!(Masker::new(&[], &[empty]).unwrap_err(), MaskError::EmptyMatch { name: "e".into() });
    }

    /// A number of `len` digits from `rng`, first digit `first`.
    fn digits(rng: &mut impl rand::Rng, first: u8, len: usize) -> String {
        let mut s = String::from(char::from(first));
        while s.len() < len {
            s.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
        s
    }

    /// Texts of words, punctuation and numbers that are not personal by construction: short
    /// numbers, and long ones that fail their format's check (every number stands apart, so
    /// two short ones never read as one long one).
    fn harmless(rng: &mut impl rand::Rng) -> String {
        const WORDS: [&str; 16] = [
            "我的",
            "订单",
            "怎么",
            "退款",
            "order",
            "refund",
            "card",
            "账户",
            "v2",
            "宽带",
            "套餐",
            "week",
            "user@host",
            "1.2.3",
            "300.1.1.1",
            "10:30",
        ];
        const GLUE: [&str; 8] = ["，", "。", "？", " and ", "、", "!", "：", "号"];
        let mut out = String::new();
        for _ in 0..rng.random_range(1..12) {
            match rng.random_range(0..6) {
                0 => {
                    let (n, first) = (rng.random_range(1..=9), b'1' + rng.random_range(0..9u8));
                    out.push_str(&digits(rng, first, n));
                }
                1 => loop {
                    // 16 digits from 3 to 6 that fail Luhn: an order number, not a card.
                    let first = b'3' + rng.random_range(0..4u8);
                    let n = digits(rng, first, 16);
                    if !luhn_ok(n.as_bytes()) {
                        out.push_str(&n);
                        break;
                    }
                },
                2 => {
                    // 11 digits that no mobile number starts with.
                    let lead = ["10", "11", "12"][rng.random_range(0..3)];
                    out.push_str(lead);
                    let first = b'0' + rng.random_range(0..10u8);
                    out.push_str(&digits(rng, first, 9));
                }
                3 => loop {
                    // An ID number's shape with a wrong check character.
                    let year = 1950 + rng.random_range(0..60);
                    let id = format!("110105{year}0101{}", digits(rng, b'1', 4));
                    if !id_check_ok(&id) {
                        out.push_str(&id);
                        break;
                    }
                },
                _ => out.push_str(WORDS[rng.random_range(0..WORDS.len())]),
            }
            out.push_str(GLUE[rng.random_range(0..GLUE.len())]);
        }
        out
    }

    #[test]
    fn five_thousand_texts_without_personal_data_come_out_unchanged() {
        use rand::SeedableRng;
        let m = Masker::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(30);
        for _ in 0..5_000 {
            let text = harmless(&mut rng);
            assert_eq!(m.mask(&text), text.as_str(), "{:?}", m.findings(&text));
        }
    }

    #[test]
    fn personal_data_inside_random_text_is_always_found() {
        use rand::{Rng, SeedableRng};
        let m = Masker::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(31);
        for i in 0..2_000 {
            let first = b'0' + rng.random_range(0..10u8);
            let rest = digits(&mut rng, first, 9);
            let phone = format!("1{}{rest}", rng.random_range(3..10));
            let (before, after) = (harmless(&mut rng), harmless(&mut rng));
            let text = format!("{before}{phone}号{after}");
            let masked = m.mask(&text);
            assert!(!masked.contains(&phone), "{i}: {text:?} -> {masked:?}");
            assert!(masked.contains("[手机号]"), "{i}: {masked:?}");
        }
    }
}
