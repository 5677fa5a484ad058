//! Membership in a fixed list of words (builtins, interesting callee names) for rules
//! that ask once per name read: a slice's `contains` compares with every word in turn,
//! a hash set built on first use answers in one probe.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

pub struct WordSet {
    words: &'static [&'static str],
    set: OnceLock<FxHashSet<&'static str>>,
}

impl WordSet {
    pub const fn new(words: &'static [&'static str]) -> Self {
        WordSet {
            words,
            set: OnceLock::new(),
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.iter().copied().collect())
            .contains(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_the_list() {
        static WORDS: WordSet = WordSet::new(&["len", "print", "zip"]);
        for word in ["len", "print", "zip"] {
            assert!(WORDS.contains(word));
        }
        for word in ["", "le", "lens", "Print"] {
            assert!(!WORDS.contains(word));
        }
    }
}
