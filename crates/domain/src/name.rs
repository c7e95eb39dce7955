//! Name matching for people.
//!
//! Indonesian names are written many ways: the pre-1972 spelling (Soekarno, Djoko) lives on in
//! ID cards, Arabic names are transliterated freely (Mohamad, Muhammad), and many people have a
//! single name. Duplicate checks and searches therefore compare a *key*, never the raw text.

/// A search key that makes common Indonesian spelling variants meet: lowercased, accents and
/// punctuation removed, old spellings mapped (dj→j, tj→c, oe→u, sj→sy, ch→kh, nj→ny, then j→y), oo→u,
/// o→u, a word's last y read as i (Sity/Siti), double letters collapsed, trailing h dropped from
/// words (Fatimah/Fatima), words joined by single spaces.
/// So "Noor"≡"Nur", "Mohamad"≡"Muhammad"≡"Muhamad"≡"MOHAMMAD", "Soekarno"≡"Sukarno", "Djoko"≡"Joko",
/// "Sity"≡"Siti", "Hendry"≡"Hendri", "Eddy"≡"Edi".
///
/// **The y/i rule** (key version 2, [`KEY_VERSION`]): a y that ends a word and follows another
/// letter (a consonant or a vowel, not a second y) reads as i. Names take the Dutch and English
/// y for a final i freely (Yanty, Hendry, Dewy, Rudy, Henny, Desy, Susy), while Indonesian
/// spelling writes a final i; a y elsewhere is a consonant (the Y of Yanti, ny, sy, Wahyu,
/// Hidayat) and stays. It must NOT merge, and does not:
/// - a y that is not last: Yanti ≠ Ianti, Maya ≠ Maia, Wahyu ≠ Wahiu, Nyoman ≠ Nioman,
///   Syahrir ≠ Siahrir (the digraphs ny and sy inside a word keep their y);
/// - a lone Y, an initial (Y. Suharto): "y" ≠ "i", and Yy collapses to y, not i;
/// - a y after a digit ("2y" stays), which is no name.
///
/// What it does merge beyond the wanted pairs, as a search key can afford: a final "ay, ey, uy"
/// with "ai, ei, ui" (Ray ≡ Rai, Huy ≡ Hui), a final sy with si (Arsy ≡ Arsi, where sy is
/// Arabic sh), and, through the old-spelling j→y, a final j (Siraj ≡ Sirai, Faraj ≡ Farai).
///
/// The rewriting of each word is repeated until nothing changes, so that a key is its own key
/// ("Nandja" gives "nanja" in one pass, which gives "nanya" in a second; the key is "nanya").
/// Keys are stored (`persons.name_key`, `agencies.name_key`, `broker_aliases.alias_key`): a
/// change of these rules raises [`KEY_VERSION`], and the stored keys are recomputed
/// (docs/OPERATIONS.md "Name search", "Re-keying").
pub fn name_key(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        for lower in c.to_lowercase() {
            fold_char(lower, &mut folded);
        }
    }
    let words: Vec<String> = folded.split(' ').filter(|w| !w.is_empty()).map(word_key).collect();
    words.join(" ")
}

/// Appends a lowercase character with accents removed; punctuation becomes a word break,
/// apostrophes vanish (Ma'ruf = Maruf).
fn fold_char(c: char, out: &mut String) {
    if ('\u{0300}'..='\u{036F}').contains(&c) || matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ' | 'ʻ' | '´') {
        return;
    }
    if let Some(plain) = strip_accent(c) {
        out.push_str(plain);
    } else if c.is_alphanumeric() {
        out.push(c);
    } else {
        out.push(' ');
    }
}

/// Latin letters with diacritics (already lowercase) to plain ASCII.
fn strip_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The version of the rules in [`name_key`]: 1 until the y/i rule, 2 with it. A database records
/// the version its stored keys were computed with (`meta.name_key_version`); an older one is
/// re-keyed batch by batch.
pub const KEY_VERSION: i64 = 2;

/// Rewrites one word until it is stable. Terminates: every pass that changes the word either
/// shortens it or keeps its length and lowers the weight 2·(j count) + (o, c and y count), since
/// j→y, o→u, c→k (ch→kh) and a final y→i each take away weight and nothing adds any (an i, u, k
/// is never rewritten).
fn word_key(word: &str) -> String {
    let mut current: Vec<char> = word.chars().collect();
    loop {
        let next = rewrite_once(&current);
        if next == current {
            return current.into_iter().collect();
        }
        current = next;
    }
}

/// One left-to-right pass of the spelling rules, then doubles collapsed and a trailing h dropped.
fn rewrite_once(w: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(w.len() + 1);
    let mut i = 0;
    while i < w.len() {
        let pair = (w[i], w.get(i + 1).copied());
        let (replacement, used): (&[char], usize) = match pair {
            ('d', Some('j')) => (&['j'], 2),
            ('t', Some('j')) => (&['c'], 2),
            ('s', Some('j')) => (&['s', 'y'], 2),
            ('n', Some('j')) => (&['n', 'y'], 2),
            ('c', Some('h')) => (&['k', 'h'], 2),
            ('o', Some('e')) | ('o', Some('o')) => (&['u'], 2),
            ('o', _) => (&['u'], 1),
            // In the pre-1972 spelling j was today's y (Hidajat = Hidayat); after dj→j above,
            // every j becomes y, so old and new spellings of either sound meet.
            ('j', _) => (&['y'], 1),
            // A word's last y after another letter reads as i (Sity = Siti); see `name_key`.
            ('y', None) if i > 0 && w[i - 1].is_alphabetic() && w[i - 1] != 'y' => (&['i'], 1),
            _ => (std::slice::from_ref(&w[i]), 1),
        };
        out.extend_from_slice(replacement);
        i += used;
    }
    out.dedup();
    if out.len() > 1 && out.last() == Some(&'h') {
        out.pop();
    }
    out
}

/// Trigram indexes (FTS5's `trigram` tokenizer, PostgreSQL's pg_trgm) can find a word of a
/// key only when it has at least three letters; shorter words are matched by scanning the
/// rows the longer ones found (or, with no longer word, the rows of the region).
pub const TRIGRAM: usize = 3;

/// Whether a search word (already a key) can be looked up in a trigram index.
pub fn trigram_indexable(word: &str) -> bool {
    word.chars().count() >= TRIGRAM
}

/// The FTS5 query that finds rows whose key contains every indexable word as a substring
/// (the same rows as `name_key LIKE '%word%'` for each): each word a quoted phrase, quotes
/// doubled, joined by AND. `None` when no word is long enough for the index.
pub fn fts_substring_query(words: &[String]) -> Option<String> {
    let phrases: Vec<String> =
        words.iter().filter(|w| trigram_indexable(w)).map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
    (!phrases.is_empty()).then(|| phrases.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(a: &str, b: &str) {
        assert_eq!(name_key(a), name_key(b), "{a:?} and {b:?} should meet");
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(name_key(a), name_key(b), "{a:?} and {b:?} should stay apart");
    }

    #[test]
    fn listed_equivalences() {
        same("Noor", "Nur");
        same("Hidajat", "Hidayat");
        same("Djojo", "Joyo");
        same("Mohamad", "Muhammad");
        same("Muhammad", "Muhamad");
        same("Muhamad", "MOHAMMAD");
        same("Soekarno", "Sukarno");
        same("Djoko", "Joko");
        same("Fatimah", "Fatima");
    }

    #[test]
    fn old_spellings() {
        same("Tjipto", "Cipto");
        same("Sjahrir", "Syahrir");
        same("Njoman", "Nyoman");
        same("Chairul", "Khairul");
        same("Oemar", "Umar");
        same("Soeharto", "Suharto");
        // Rewriting until stable reads the nj made from Nandja's dj as old-spelling nj too;
        // the key conflates Nandja, Nanja and Nanya, which a search key can afford.
        same("Nandja", "Nanja");
        same("Nanja", "Nanya");
    }

    #[test]
    fn case_accents_punctuation_and_spaces() {
        assert_eq!(name_key("  SITI   Nur-Hayati "), "siti nur hayati");
        same("Siti Nurhaliza", "siti  nurhaliza");
        same("José", "Jose");
        same("Ma'ruf", "Maruf");
        same("Ma’ruf", "MARUF");
        same("H. Ahmad", "H Ahmad");
        same("Zoë", "Zoe");
        assert_eq!(name_key(""), "");
        assert_eq!(name_key(" .,- "), "");
    }

    #[test]
    fn different_names_stay_different() {
        differ("Siti", "Sari");
        differ("Budi", "Badu");
        differ("Dewi", "Dewa");
        differ("Agus", "Agung");
        differ("Siti Aminah", "Aminah Siti");
    }

    #[test]
    fn keys_are_stable_for_examples() {
        assert_eq!(name_key("Soekarno"), "sukarnu");
        assert_eq!(name_key("MOHAMMAD"), "muhamad");
        assert_eq!(name_key("Fatimah"), "fatima");
        assert_eq!(name_key("Djoko"), "yuku");
    }

    #[test]
    fn a_final_y_reads_as_i() {
        same("Siti", "Sity");
        same("Yanti", "Yanty");
        same("Hendri", "Hendry");
        same("Dewi", "Dewy");
        same("Rudi", "Rudy");
        same("Edi", "Eddy");
        same("Heni", "Henny");
        same("Desi", "Desy");
        same("Susi", "SUSY");
        same("Siti Aminah", "Sity Aminah");
        same("Dewi Yanti", "Dewy Yanty");
        // After a vowel too, and after the old j (a word's last letter, whichever spelling).
        same("Rai", "Ray");
        same("Siraj", "Sirai");
        assert_eq!(name_key("Hendry"), "hendri");
        assert_eq!(name_key("Yanty Sity"), "yanti siti");
        // Through the other rules: the final y appears only after them (Sityh loses its h).
        same("Sityh", "Siti");
        same("Tommy", "Tumi");
    }

    #[test]
    fn a_y_that_is_not_a_final_i_stays() {
        differ("Yanti", "Ianti");
        differ("Maya", "Maia");
        differ("Wahyu", "Wahiu");
        differ("Nyoman", "Nioman");
        differ("Syahrir", "Siahrir");
        // An initial is a letter, not a sound: Y. and I. stay apart, and so does a doubled Y.
        differ("Y Suharto", "I Suharto");
        assert_eq!(name_key("Y."), "y");
        assert_eq!(name_key("YY"), "y");
        assert_eq!(name_key("2y"), "2y");
        // A final i was always i; nothing else moved.
        assert_eq!(name_key("Siti Nur-Hayati"), "siti nur hayati");
        differ("Siti", "Sita");
    }

    /// Every name these tests use, as typed.
    const TEST_NAMES: &[&str] = &[
        "Noor",
        "Nur",
        "Hidajat",
        "Hidayat",
        "Djojo",
        "Joyo",
        "Mohamad",
        "Muhammad",
        "Muhamad",
        "MOHAMMAD",
        "Soekarno",
        "Sukarno",
        "Djoko",
        "Joko",
        "Fatimah",
        "Fatima",
        "Tjipto",
        "Cipto",
        "Sjahrir",
        "Syahrir",
        "Njoman",
        "Nyoman",
        "Chairul",
        "Khairul",
        "Oemar",
        "Umar",
        "Soeharto",
        "Suharto",
        "Nandja",
        "Nanja",
        "Nanya",
        "  SITI   Nur-Hayati ",
        "Siti Nurhaliza",
        "siti  nurhaliza",
        "José",
        "Jose",
        "Ma'ruf",
        "Maruf",
        "Ma’ruf",
        "MARUF",
        "H. Ahmad",
        "H Ahmad",
        "Zoë",
        "Zoe",
        "",
        " .,- ",
        "Siti",
        "Sari",
        "Budi",
        "Badu",
        "Dewi",
        "Dewa",
        "Agus",
        "Agung",
        "Siti Aminah",
        "Aminah Siti",
        "Sity",
        "Yanti",
        "Yanty",
        "Hendri",
        "Hendry",
        "Dewy",
        "Rudi",
        "Rudy",
        "Edi",
        "Eddy",
        "Heni",
        "Henny",
        "Desi",
        "Desy",
        "Susi",
        "SUSY",
        "Sity Aminah",
        "Dewi Yanti",
        "Dewy Yanty",
        "Rai",
        "Ray",
        "Siraj",
        "Sirai",
        "Yanty Sity",
        "Sityh",
        "Tommy",
        "Tumi",
        "Ianti",
        "Maya",
        "Maia",
        "Wahyu",
        "Wahiu",
        "Nioman",
        "Siahrir",
        "Y Suharto",
        "I Suharto",
        "Y.",
        "YY",
        "2y",
        "Siti Nur-Hayati",
        "Sita",
    ];

    #[test]
    fn a_key_is_its_own_key_for_every_test_name() {
        for name in TEST_NAMES {
            let k = name_key(name);
            assert_eq!(name_key(&k), k, "{name:?}");
            // And one rewriting pass leaves each word of a key alone (the loop's fixed point).
            for w in k.split(' ').filter(|w| !w.is_empty()) {
                let chars: Vec<char> = w.chars().collect();
                assert_eq!(rewrite_once(&chars), chars, "{name:?}: {w:?}");
            }
        }
    }

    #[test]
    fn fts_query_quotes_words_and_leaves_out_short_ones() {
        let words: Vec<String> = ["siti", "nu", "aminah"].iter().map(|w| w.to_string()).collect();
        assert_eq!(fts_substring_query(&words).as_deref(), Some("\"siti\" AND \"aminah\""));
        assert_eq!(fts_substring_query(&["ab".to_string(), "h".to_string()]), None);
        assert_eq!(fts_substring_query(&[]), None);
        // Keys never hold quotes, but a quote must not end the phrase early.
        assert_eq!(fts_substring_query(&["a\"bc".to_string()]).as_deref(), Some("\"a\"\"bc\""));
        assert!(trigram_indexable("sit") && !trigram_indexable("si"));
    }

    proptest! {
        #[test]
        fn name_key_is_idempotent(name in ".{0,40}") {
            let k = name_key(&name);
            prop_assert_eq!(name_key(&k), k.clone());
        }

        #[test]
        fn name_key_is_idempotent_for_name_like_text(name in "[A-Za-zÀ-ÿ'’ .-]{0,30}") {
            let k = name_key(&name);
            prop_assert_eq!(name_key(&k), k.clone());
            prop_assert!(!k.starts_with(' ') && !k.ends_with(' ') && !k.contains("  "));
        }

        #[test]
        fn name_key_ignores_case_and_outer_spaces(name in "[A-Za-z ]{0,30}") {
            prop_assert_eq!(name_key(&name.to_uppercase()), name_key(&format!("  {name} ")));
        }
    }
}
