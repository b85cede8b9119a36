//! Which writing system a text is in: Chinese characters or not. Matching weighs its lexical
//! side by it, and the fused embedder its models.

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Share of the text's letters that are CJK characters (0 to 1).
pub fn cjk_share(text: &str) -> f32 {
    let (mut cjk, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        letters += 1;
        if is_cjk(c) {
            cjk += 1;
        }
    }
    if letters == 0 {
        0.0
    } else {
        cjk as f32 / letters as f32
    }
}

/// A question's language as the inbox files it: Chinese when at least half its letters are.
pub fn language(text: &str) -> crate::views::Language {
    if cjk_share(text) >= 0.5 {
        crate::views::Language::Zh
    } else {
        crate::views::Language::En
    }
}
