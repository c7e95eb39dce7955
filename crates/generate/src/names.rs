//! Names by region: Javanese and Sundanese names (often a single name), Sasak titles in NTB,
//! Balinese birth-order names, Christian first names and clan names in NTT, Batak clan names
//! in North Sumatra. Enough variety that a name search returns a realistic handful, and some
//! spellings the search key folds together (Nur/Noor, Muhammad/Mohamad).

use crate::pick::one;
use domain::Sex;
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Javanese,
    Sundanese,
    Sasak,
    Balinese,
    Ntt,
    Batak,
    Other,
}

pub fn group_of_province(province: &str) -> Group {
    match province {
        "33" | "34" | "35" | "18" => Group::Javanese,
        "32" | "36" => Group::Sundanese,
        "52" => Group::Sasak,
        "51" => Group::Balinese,
        "53" => Group::Ntt,
        "12" => Group::Batak,
        _ => Group::Other,
    }
}

const MALE: &[&str] = &[
    "Agus",
    "Budi",
    "Slamet",
    "Joko",
    "Eko",
    "Bambang",
    "Hendra",
    "Rudi",
    "Ahmad",
    "Muhammad",
    "Mohamad",
    "Rahmat",
    "Yusuf",
    "Imam",
    "Arif",
    "Dedi",
    "Heru",
    "Wahyu",
    "Bayu",
    "Rizki",
    "Fajar",
    "Adi",
    "Teguh",
    "Sugeng",
    "Supriyadi",
    "Nur",
    "Hadi",
    "Irfan",
    "Taufik",
    "Andi",
];
const FEMALE: &[&str] = &[
    "Siti", "Sri", "Dewi", "Rina", "Wati", "Yuni", "Ratna", "Fitri", "Lestari", "Nurul", "Noor", "Ani", "Eka", "Dian",
    "Yanti", "Sumiati", "Suryani", "Tuti", "Endang", "Nining", "Kartini", "Wulan", "Indah", "Rohmah", "Fatimah",
    "Aminah", "Susanti", "Erna", "Lilis", "Marni",
];
const JAVANESE_LAST: &[&str] = &[
    "Susilo",
    "Wibowo",
    "Santoso",
    "Prasetyo",
    "Hidayat",
    "Purnomo",
    "Setiawan",
    "Rahayu",
    "Utami",
    "Lestari",
    "Wahyuni",
    "Kurniawan",
    "Saputra",
    "Nugroho",
    "Sulistyo",
    "Handayani",
    "Wulandari",
    "Suharto",
];
const SUNDANESE_LAST: &[&str] =
    &["Sutisna", "Suryana", "Permana", "Hermawan", "Sumarna", "Ruhiyat", "Kurnia", "Rosita", "Komariah", "Nurhayati"];
const SASAK_MALE_PREFIX: &[&str] = &["Lalu", "Muhammad", "Zaenal", "Lalu Muhammad"];
const SASAK_FEMALE_PREFIX: &[&str] = &["Baiq", "Baiq Nurul", "Siti"];
const SASAK_NAMES: &[&str] =
    &["Hamdi", "Sahnan", "Jumaedi", "Marzuki", "Rumini", "Hartini", "Zohri", "Sukri", "Nurhasanah", "Muslihin"];
const BALI_ORDER: &[&str] = &["Wayan", "Made", "Nyoman", "Ketut", "Putu", "Kadek", "Komang", "Gede"];
const BALI_NAMES: &[&str] =
    &["Sudarma", "Astawa", "Suartini", "Sukerti", "Wirawan", "Ariani", "Sumadi", "Budiasa", "Yasa", "Widiani"];
const NTT_MALE: &[&str] = &["Yohanes", "Yosef", "Petrus", "Paulus", "Fransiskus", "Antonius", "Markus", "Agustinus"];
const NTT_FEMALE: &[&str] =
    &["Maria", "Yuliana", "Theresia", "Agnes", "Veronika", "Katarina", "Elisabeth", "Margaretha"];
const NTT_LAST: &[&str] = &[
    "Da Silva",
    "Parera",
    "Making",
    "Koten",
    "Tukan",
    "Kewa",
    "Hurint",
    "Lewar",
    "Fernandez",
    "Lamawuran",
    "Seran",
    "Bria",
    "Nahak",
    "Tefa",
];
const BATAK_LAST: &[&str] =
    &["Siregar", "Sembiring", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Ginting", "Tarigan"];
const OTHER_LAST: &[&str] =
    &["Saputra", "Hidayat", "Kusuma", "Pratama", "Gunawan", "Halim", "Fauzi", "Nugraha", "Maharani", "Syahputra"];

/// A full name for someone of `group` and `sex`; `family` is a family name to share (NTT and
/// Batak clans, Balinese households), or None to draw one.
pub fn full_name<R: Rng>(rng: &mut R, group: Group, sex: Sex, family: Option<&str>) -> String {
    let first = |rng: &mut R| *one(rng, if sex == Sex::L { MALE } else { FEMALE });
    match group {
        Group::Javanese | Group::Sundanese | Group::Other => {
            let last = match group {
                Group::Javanese => JAVANESE_LAST,
                Group::Sundanese => SUNDANESE_LAST,
                _ => OTHER_LAST,
            };
            match rng.random_range(0..10) {
                // Many Javanese and Sundanese have one name only.
                0..=2 if group != Group::Other => first(rng).to_string(),
                3..=5 => format!("{} {}", first(rng), first(rng)),
                _ => format!("{} {}", first(rng), one(rng, last)),
            }
        }
        Group::Sasak => {
            let prefix = one(rng, if sex == Sex::L { SASAK_MALE_PREFIX } else { SASAK_FEMALE_PREFIX });
            format!("{prefix} {}", one(rng, SASAK_NAMES))
        }
        Group::Balinese => {
            let title = if sex == Sex::L { "I" } else { "Ni" };
            format!("{title} {} {}", one(rng, BALI_ORDER), one(rng, BALI_NAMES))
        }
        Group::Ntt => {
            let first = one(rng, if sex == Sex::L { NTT_MALE } else { NTT_FEMALE });
            let family = family.map(str::to_string).unwrap_or_else(|| one(rng, NTT_LAST).to_string());
            format!("{first} {family}")
        }
        Group::Batak => {
            let family = family.map(str::to_string).unwrap_or_else(|| one(rng, BATAK_LAST).to_string());
            format!("{} {family}", first(rng))
        }
    }
}

/// A clan name a household shares, where the region has them.
pub fn family_name<R: Rng>(rng: &mut R, group: Group) -> Option<&'static str> {
    match group {
        Group::Ntt => Some(*one(rng, NTT_LAST)),
        Group::Batak => Some(*one(rng, BATAK_LAST)),
        _ => None,
    }
}

/// A village witness for a hand-over record.
pub fn witness<R: Rng>(rng: &mut R) -> String {
    let title = one(rng, &["Pak", "Bu"]);
    let role = one(rng, &["Kepala Dusun", "Sekretaris Desa", "Ketua RT", "Petugas Desmigratif", "Kepala Desa"]);
    let name = if *title == "Pak" { one(rng, MALE) } else { one(rng, FEMALE) };
    format!("{title} {name}, {role}")
}

/// A counsellor's or facilitator's name.
pub fn officer<R: Rng>(rng: &mut R) -> String {
    let sex = if rng.random_bool(0.5) { Sex::L } else { Sex::P };
    full_name(rng, Group::Other, sex, None)
}
