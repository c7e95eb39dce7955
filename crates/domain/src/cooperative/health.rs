//! The health assessment of a savings-and-loan cooperative (penilaian kesehatan KSP/USP
//! koperasi) after Peraturan Deputi Bidang Pengawasan Kementerian Koperasi dan UKM
//! No. 06/Per/Dep.6/IV/2016: seven aspects (permodalan, kualitas aktiva produktif, manajemen,
//! efisiensi, likuiditas, kemandirian dan pertumbuhan, jatidiri koperasi), each ratio with its
//! table (ratio → nilai 0–100), its weight (bobot) and score (skor = nilai × bobot / 100), the
//! total out of 100 and the predicate. docs/COOPERATIVE.md "Health assessment" cites every table
//! and names the choices the guidance leaves open.
//!
//! Pure: everything is computed from [`HealthInput`], plain figures the application reads from
//! the books. Scores are kept in hundredths of a point (`score_cp`), which is exact for every
//! weight of the guidance, so the total never depends on a rounding.

use std::cmp::Ordering;

/// A ratio as a fraction, compared exactly with the tables' bounds (no rounding before scoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    /// Something over nothing is above every bound; nothing over nothing is 0 %.
    pub fn new(num: i128, den: i128) -> Ratio {
        Ratio { num, den }
    }

    fn is_unbounded(self) -> bool {
        self.den <= 0 && self.num > 0
    }

    /// Compares the ratio (as a percentage) with `pct_cp` hundredths of a percent.
    fn cmp_pct(self, pct_cp: i128) -> Ordering {
        if self.is_unbounded() {
            return Ordering::Greater;
        }
        if self.den <= 0 {
            return 0.cmp(&pct_cp);
        }
        // num/den × 100 % vs pct_cp / 100 % ⇔ num × 10 000 vs pct_cp × den
        (self.num * 10_000).cmp(&(pct_cp * self.den))
    }

    /// The percentage in hundredths (12.34 % = 1 234), rounded half away from zero, for display;
    /// `None` when the base is zero and the part is not.
    pub fn percent_cp(self) -> Option<i64> {
        if self.is_unbounded() {
            return None;
        }
        if self.den <= 0 {
            return Some(0);
        }
        let n = self.num * 10_000;
        let q = (2 * n.abs() + self.den) / (2 * self.den);
        i64::try_from(if n < 0 { -q } else { q }).ok()
    }
}

/// One ratio's scoring table: bands read from the first; a band applies when the ratio is at
/// most (`upper_inclusive`) or below its bound. The last band has no bound.
#[derive(Debug, Clone, Copy)]
struct Table {
    /// (bound in hundredths of a percent, nilai); `None` bound = every larger ratio.
    bands: &'static [(Option<i128>, u8)],
    upper_inclusive: bool,
}

impl Table {
    fn nilai(&self, r: Ratio) -> u8 {
        for (bound, nilai) in self.bands {
            match bound {
                None => return *nilai,
                Some(b) => {
                    let c = r.cmp_pct(*b);
                    if c == Ordering::Less || (self.upper_inclusive && c == Ordering::Equal) {
                        return *nilai;
                    }
                }
            }
        }
        0
    }
}

const fn pct(p: i128) -> Option<i128> {
    Some(p * 100)
}

// The tables of Perdep 06/2016 (Lampiran), bounds in hundredths of a percent.
/// 1a Modal sendiri ÷ total aset: the guidance rewards 40–60 % and penalises both too little and
/// too much own capital.
const T_OWN_CAPITAL_TO_ASSETS: Table =
    Table { bands: &[(pct(20), 25), (pct(40), 50), (pct(60), 100), (pct(80), 50), (None, 25)], upper_inclusive: true };
/// 1c Rasio kecukupan modal sendiri (modal tertimbang ÷ ATMR): < 4 %, 4–6 %, 6–8 %, ≥ 8 %.
const T_CAPITAL_ADEQUACY: Table =
    Table { bands: &[(pct(4), 0), (pct(6), 50), (pct(8), 75), (None, 100)], upper_inclusive: false };
/// 2a Pinjaman pada anggota ÷ pinjaman diberikan.
const T_MEMBER_LOANS: Table =
    Table { bands: &[(pct(25), 0), (pct(50), 50), (pct(75), 75), (None, 100)], upper_inclusive: true };
/// 2b Risiko pinjaman bermasalah ÷ pinjaman diberikan: exactly 0 % scores 100.
const T_PROBLEM_LOANS: Table = Table {
    bands: &[(pct(0), 100), (pct(10), 80), (pct(20), 60), (pct(30), 40), (pct(40), 20), (pct(45), 10), (None, 0)],
    upper_inclusive: true,
};
/// 2d Pinjaman berisiko ÷ pinjaman diberikan.
const T_RISKY_LOANS: Table =
    Table { bands: &[(pct(20), 100), (pct(25), 75), (pct(30), 50), (None, 25)], upper_inclusive: true };
/// 4a Beban operasi anggota ÷ partisipasi bruto.
const T_MEMBER_COST: Table =
    Table { bands: &[(pct(70), 100), (pct(85), 75), (pct(100), 50), (None, 25)], upper_inclusive: true };
/// 4b Beban usaha ÷ SHU kotor.
const T_OPERATING_COST: Table =
    Table { bands: &[(pct(40), 100), (pct(60), 75), (pct(80), 50), (None, 25)], upper_inclusive: true };
/// 4c Efisiensi pelayanan: biaya karyawan ÷ volume pinjaman.
const T_SERVICE_EFFICIENCY: Table =
    Table { bands: &[(pct(5), 100), (pct(10), 75), (pct(15), 50), (None, 25)], upper_inclusive: true };
/// 5a Rasio kas: too little cash and too much idle cash both score low.
const T_CASH: Table =
    Table { bands: &[(pct(10), 25), (pct(15), 100), (pct(20), 50), (None, 25)], upper_inclusive: true };
/// 5b Pinjaman diberikan ÷ dana yang diterima.
const T_LOANS_TO_FUNDS: Table =
    Table { bands: &[(pct(50), 25), (pct(75), 50), (pct(100), 75), (None, 100)], upper_inclusive: true };
/// 6a, 6b and 7b share the bounds 5 %, 7.5 % and 10 %.
const T_RETURN: Table =
    Table { bands: &[(pct(5), 25), (Some(750), 50), (pct(10), 75), (None, 100)], upper_inclusive: true };
/// 6c Kemandirian operasional pelayanan.
const T_SELF_RELIANCE: Table =
    Table { bands: &[(pct(100), 25), (pct(125), 50), (pct(150), 75), (None, 100)], upper_inclusive: true };
/// 7a Rasio partisipasi bruto.
const T_PARTICIPATION: Table =
    Table { bands: &[(pct(25), 25), (pct(50), 50), (pct(75), 75), (None, 100)], upper_inclusive: true };

/// 1b Modal sendiri ÷ pinjaman diberikan yang berisiko: 10 points per full 10 %, at most 100.
fn nilai_capital_to_risky_loans(r: Ratio) -> u8 {
    (0..=10u8).rev().find(|k| r.cmp_pct(i128::from(*k) * 1_000) != Ordering::Less).map(|k| k * 10).unwrap_or(0)
}

/// 2c Cadangan risiko ÷ risiko pinjaman bermasalah: 0 % scores 0, then 10 points per started
/// 10 % (0 < x ≤ 10 → 10 …), at most 100.
fn nilai_reserve_cover(r: Ratio) -> u8 {
    if r.cmp_pct(0) != Ordering::Greater {
        return 0;
    }
    (1..=10u8).find(|k| r.cmp_pct(i128::from(*k) * 1_000) != Ordering::Greater).map(|k| k * 10).unwrap_or(100)
}

crate::code_enum! {
    /// The predicate of the total (and, by the same bounds on the share of the maximum, of each
    /// aspect and ratio).
    pub enum Predicate {
        /// 80 ≤ skor ≤ 100.
        Sehat = "sehat",
        /// 66 ≤ skor < 80.
        CukupSehat = "cukup_sehat",
        /// 51 ≤ skor < 66.
        DalamPengawasan = "dalam_pengawasan",
        /// skor < 51.
        DalamPengawasanKhusus = "dalam_pengawasan_khusus",
    }
}

impl Predicate {
    /// From a score out of `max` (both in hundredths of a point).
    pub fn of(score_cp: u32, max_cp: u32) -> Predicate {
        let share = |p: u32| u64::from(score_cp) * 100 >= u64::from(p) * u64::from(max_cp);
        if share(80) {
            Predicate::Sehat
        } else if share(66) {
            Predicate::CukupSehat
        } else if share(51) {
            Predicate::DalamPengawasan
        } else {
            Predicate::DalamPengawasanKhusus
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Predicate::Sehat => "Sehat",
            Predicate::CukupSehat => "Cukup sehat",
            Predicate::DalamPengawasan => "Dalam pengawasan",
            Predicate::DalamPengawasanKhusus => "Dalam pengawasan khusus",
        }
    }
}

crate::code_enum! {
    /// The seven aspects, in the worksheet's order.
    pub enum Aspect {
        Capital = "capital",
        AssetQuality = "asset_quality",
        Management = "management",
        Efficiency = "efficiency",
        Liquidity = "liquidity",
        SelfReliance = "self_reliance",
        Identity = "identity",
    }
}

impl Aspect {
    pub fn label(self) -> &'static str {
        match self {
            Aspect::Capital => "Permodalan",
            Aspect::AssetQuality => "Kualitas aktiva produktif",
            Aspect::Management => "Manajemen",
            Aspect::Efficiency => "Efisiensi",
            Aspect::Liquidity => "Likuiditas",
            Aspect::SelfReliance => "Kemandirian dan pertumbuhan",
            Aspect::Identity => "Jatidiri koperasi",
        }
    }
}

crate::code_enum! {
    /// The management aspect's five components, each a list of yes/no questions.
    pub enum ManagementPart {
        General = "general",
        Institution = "institution",
        Capital = "capital",
        Assets = "assets",
        Liquidity = "liquidity",
    }
}

impl ManagementPart {
    pub fn label(self) -> &'static str {
        match self {
            ManagementPart::General => "Manajemen umum",
            ManagementPart::Institution => "Manajemen kelembagaan",
            ManagementPart::Capital => "Manajemen permodalan",
            ManagementPart::Assets => "Manajemen aktiva",
            ManagementPart::Liquidity => "Manajemen likuiditas",
        }
    }

    /// The questions (Perdep 06/2016, Lampiran, aspek manajemen; wording shortened). Each
    /// component weighs 3 points, shared equally by its questions.
    pub fn questions(self) -> &'static [&'static str] {
        match self {
            ManagementPart::General => &[
                "Koperasi memiliki visi, misi dan tujuan yang jelas",
                "Koperasi memiliki rencana kerja jangka panjang (minimal 3 tahun)",
                "Koperasi memiliki rencana kerja tahunan yang disahkan rapat anggota",
                "Rencana kerja tahunan memuat sasaran, kegiatan dan anggaran",
                "Pengurus dan pengelola memiliki uraian tugas tertulis",
                "Pengurus mengadakan rapat secara berkala dan membuat notulen",
                "Pengawas melakukan pemeriksaan secara berkala dan melaporkannya",
                "Laporan keuangan disusun tepat waktu setiap bulan",
                "Rapat anggota tahunan diselenggarakan tepat waktu",
                "Laporan keuangan tahunan diaudit oleh akuntan publik atau diperiksa pengawas",
                "Koperasi memiliki standar operasional prosedur (SOP) yang dijalankan",
                "Koperasi memiliki sistem informasi dan pencatatan yang memadai",
            ],
            ManagementPart::Institution => &[
                "Anggaran dasar dan anggaran rumah tangga sesuai peraturan yang berlaku",
                "Koperasi memiliki struktur organisasi yang jelas",
                "Pengurus, pengawas dan pengelola dipilih sesuai anggaran dasar",
                "Koperasi memiliki izin usaha simpan pinjam yang masih berlaku",
                "Koperasi memiliki buku daftar anggota yang mutakhir",
                "Koperasi memberikan pendidikan perkoperasian kepada anggota",
            ],
            ManagementPart::Capital => &[
                "Pertumbuhan modal sendiri sama dengan atau lebih besar dari pertumbuhan aset",
                "Pertumbuhan modal sendiri dari anggota sama dengan atau lebih dari 10 % setahun",
                "Penyisihan cadangan dari SHU sama dengan atau lebih besar dari ketentuan anggaran dasar",
                "Simpanan anggota meningkat sekurang-kurangnya 10 % dari tahun sebelumnya",
                "Investasi harta tetap dan inventaris dibiayai dari modal sendiri",
            ],
            ManagementPart::Assets => &[
                "Pinjaman dengan kolektibilitas lancar minimal 90 % dari pinjaman yang diberikan",
                "Setiap pinjaman didukung agunan yang nilainya cukup",
                "Dana cadangan penghapusan pinjaman sama dengan atau lebih dari pinjaman macet",
                "Pinjaman macet tahun lalu dapat ditagih sekurang-kurangnya 20 %",
                "Koperasi menerapkan prosedur pinjaman yang efektif (analisis, persetujuan, pengawasan)",
                "Koperasi memiliki kebijakan dan pengawasan pinjaman bermasalah",
                "Pinjaman kepada pengurus dan pengelola sesuai ketentuan yang berlaku",
                "Pemberian pinjaman berdasarkan analisis kelayakan usaha anggota",
                "Koperasi menagih pinjaman secara aktif sejak hari pertama tunggakan",
                "Koperasi memiliki kebijakan penghapusan pinjaman yang disahkan rapat anggota",
            ],
            ManagementPart::Liquidity => &[
                "Koperasi memiliki kebijakan tertulis pengendalian likuiditas",
                "Koperasi memiliki fasilitas pembiayaan dari lembaga lain untuk menjaga likuiditas",
                "Koperasi memiliki pedoman administrasi yang efektif untuk memantau kewajiban jatuh tempo",
                "Kebijakan pinjaman mempertimbangkan kemampuan dana yang tersedia",
                "Koperasi memiliki sistem informasi manajemen yang memadai untuk pemantauan likuiditas",
            ],
        }
    }
}

/// The board's answers for one year: per component, one yes/no per question in order. A
/// missing answer counts as "no".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagementAnswers(pub Vec<(ManagementPart, Vec<bool>)>);

impl ManagementAnswers {
    pub fn yes_count(&self, part: ManagementPart) -> usize {
        self.answers(part).iter().filter(|a| **a).count()
    }

    /// The answers to `part`'s questions (false where not answered).
    pub fn answers(&self, part: ManagementPart) -> Vec<bool> {
        let n = part.questions().len();
        let given = self.0.iter().find(|(p, _)| *p == part).map(|(_, a)| a.as_slice()).unwrap_or(&[]);
        (0..n).map(|i| given.get(i).copied().unwrap_or(false)).collect()
    }

    /// Stable text for storage: `part:1010…;…` (1 = yes).
    pub fn encode(&self) -> String {
        ManagementPart::ALL
            .iter()
            .map(|p| {
                let bits: String = self.answers(*p).iter().map(|a| if *a { '1' } else { '0' }).collect();
                format!("{}:{bits}", p.as_str())
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    pub fn decode(s: &str) -> ManagementAnswers {
        let parts = s
            .split(';')
            .filter_map(|chunk| {
                let (p, bits) = chunk.split_once(':')?;
                Some((ManagementPart::parse(p)?, bits.chars().map(|c| c == '1').collect()))
            })
            .collect();
        ManagementAnswers(parts)
    }
}

/// Everything the assessment reads, in whole rupiah, for one year-end. The application fills it
/// from the books (docs/COOPERATIVE.md says which account goes where).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthInput {
    // Balance sheet at the year-end.
    pub total_assets: i64,
    /// Modal sendiri: simpanan pokok, wajib, cadangan, hibah and the undistributed SHU.
    pub own_capital: i64,
    /// Modal tertimbang: each capital item times its recognition weight.
    pub weighted_capital: i64,
    /// ATMR: each asset times its risk weight.
    pub risk_weighted_assets: i64,
    /// Pinjaman diberikan (principal outstanding, before the allowance).
    pub loans: i64,
    /// Of which to members.
    pub loans_to_members: i64,
    /// Pinjaman diberikan yang berisiko: loans not covered by collateral or insurance.
    pub loans_at_risk: i64,
    /// Outstanding principal per collectibility class 1 to 5.
    pub loans_by_class: [i64; 5],
    /// Cadangan risiko: the allowance (PPAP formed) plus any risk reserve.
    pub risk_reserve: i64,
    /// PPAP required by the provision rates (PPAPWD), for the PPAP ratio.
    pub ppap_required: i64,
    pub cash_and_bank: i64,
    pub current_liabilities: i64,
    /// Dana yang diterima: savings, deposits, grants and borrowed funds.
    pub funds_received: i64,
    /// Simpanan pokok and wajib.
    pub member_capital: i64,
    // Income statement of the year.
    /// Partisipasi bruto: income from members' use of services (jasa, denda, fees).
    pub gross_participation: i64,
    /// Income from non-members and other sources.
    pub other_income: i64,
    /// Beban pokok / beban operasi anggota: the cost of the services to members (jasa simpanan).
    pub member_service_cost: i64,
    /// Beban usaha: staff, operating and provision expenses.
    pub operating_expenses: i64,
    /// Beban perkoperasian (education, RAT…), when booked apart.
    pub cooperative_expenses: i64,
    pub staff_expenses: i64,
    /// SHU before tax (may be negative).
    pub shu_before_tax: i64,
    /// SHU bagian anggota: the by-laws' member shares of a positive SHU.
    pub shu_members: i64,
    /// Promosi ekonomi anggota (PEA).
    pub member_economic_promotion: i64,
    pub management: ManagementAnswers,
}

/// One scored line of the worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatioScore {
    /// Stable code (`capital_to_assets` …).
    pub code: &'static str,
    /// The worksheet's label (Indonesian; the worksheet is an Indonesian document).
    pub label: &'static str,
    /// Numerator and denominator as read, for the worksheet's "komponen perhitungan".
    pub numerator: i64,
    pub denominator: i64,
    /// The ratio in hundredths of a percent (display, rounded half up); `None` over a zero base.
    /// Management lines carry yes answers and questions instead.
    pub percent_cp: Option<i64>,
    pub nilai: u8,
    /// Bobot in whole points.
    pub weight: u8,
    /// Skor in hundredths of a point.
    pub score_cp: u32,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AspectScore {
    pub aspect: Aspect,
    pub ratios: Vec<RatioScore>,
    pub weight: u8,
    pub score_cp: u32,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub aspects: Vec<AspectScore>,
    pub total_cp: u32,
    pub predicate: Predicate,
    /// Risiko pinjaman bermasalah: 50 % kurang lancar + 75 % diragukan + 100 % macet.
    pub problem_loan_risk: i64,
    /// PPAP formed ÷ PPAP required, hundredths of a percent (not scored by the 2016 tables; shown
    /// because the office asks for it).
    pub ppap_cover_cp: Option<i64>,
}

/// Whether a loan counts as "pinjaman diberikan yang berisiko" (ratio 1b): Kepmen 194/1998
/// defines it as a loan whose borrower has neither adequate collateral nor a reliable
/// guarantor. Adequate here: deductible collateral (the same kinds and rule as the provision)
/// covering the outstanding principal; reliable: any recorded guarantor (a member or a named
/// person, tanggung renteng included).
pub fn loan_at_risk(outstanding: i64, deductible_collateral: i64, guarantors: usize) -> bool {
    outstanding > 0 && guarantors == 0 && deductible_collateral < outstanding
}

/// Risiko pinjaman bermasalah: 50 % of kurang lancar, 75 % of diragukan, 100 % of macet (classes
/// 3, 4, 5), each part rounded half up to the rupiah. Class 2 (dalam perhatian khusus) carries no
/// risk weight here, as in the guidance's three non-performing classes.
pub fn problem_loan_risk(by_class: &[i64; 5]) -> i64 {
    let part = |v: i64, pct: i64| (v * pct + 50) / 100;
    part(by_class[2], 50) + part(by_class[3], 75) + by_class[4]
}

fn line(code: &'static str, label: &'static str, num: i64, den: i64, weight: u8, nilai: u8) -> RatioScore {
    let score_cp = u32::from(nilai) * u32::from(weight);
    RatioScore {
        code,
        label,
        numerator: num,
        denominator: den,
        percent_cp: Ratio::new(num.into(), den.into()).percent_cp(),
        nilai,
        weight,
        score_cp,
        predicate: Predicate::of(score_cp, u32::from(weight) * 100),
    }
}

fn scored(code: &'static str, label: &'static str, num: i64, den: i64, weight: u8, t: &Table) -> RatioScore {
    line(code, label, num, den, weight, t.nilai(Ratio::new(num.into(), den.into())))
}

fn aspect(aspect: Aspect, ratios: Vec<RatioScore>) -> AspectScore {
    let weight: u8 = ratios.iter().map(|r| r.weight).sum();
    let score_cp = ratios.iter().map(|r| r.score_cp).sum();
    AspectScore { aspect, weight, score_cp, predicate: Predicate::of(score_cp, u32::from(weight) * 100), ratios }
}

/// The whole worksheet.
pub fn assess(i: &HealthInput) -> Assessment {
    let risk = problem_loan_risk(&i.loans_by_class);
    let risky_loans: i64 = i.loans_by_class[2..].iter().sum();
    let capital = aspect(
        Aspect::Capital,
        vec![
            scored(
                "capital_to_assets",
                "Rasio modal sendiri terhadap total aset",
                i.own_capital,
                i.total_assets,
                6,
                &T_OWN_CAPITAL_TO_ASSETS,
            ),
            line(
                "capital_to_risky_loans",
                "Rasio modal sendiri terhadap pinjaman diberikan yang berisiko",
                i.own_capital,
                i.loans_at_risk,
                6,
                nilai_capital_to_risky_loans(Ratio::new(i.own_capital.into(), i.loans_at_risk.into())),
            ),
            scored(
                "capital_adequacy",
                "Rasio kecukupan modal sendiri (modal tertimbang ÷ ATMR)",
                i.weighted_capital,
                i.risk_weighted_assets,
                3,
                &T_CAPITAL_ADEQUACY,
            ),
        ],
    );
    let quality = aspect(
        Aspect::AssetQuality,
        vec![
            scored(
                "member_loans",
                "Rasio volume pinjaman pada anggota terhadap volume pinjaman diberikan",
                i.loans_to_members,
                i.loans,
                10,
                &T_MEMBER_LOANS,
            ),
            scored(
                "problem_loans",
                "Rasio risiko pinjaman bermasalah terhadap pinjaman yang diberikan",
                risk,
                i.loans,
                5,
                &T_PROBLEM_LOANS,
            ),
            line(
                "reserve_cover",
                "Rasio cadangan risiko terhadap risiko pinjaman bermasalah",
                i.risk_reserve,
                risk,
                5,
                nilai_reserve_cover(Ratio::new(i.risk_reserve.into(), risk.into())),
            ),
            scored(
                "risky_loans",
                "Rasio pinjaman yang berisiko terhadap pinjaman yang diberikan",
                risky_loans,
                i.loans,
                5,
                &T_RISKY_LOANS,
            ),
        ],
    );
    let management = aspect(
        Aspect::Management,
        ManagementPart::ALL
            .iter()
            .map(|p| {
                let n = p.questions().len();
                let yes = i.management.yes_count(*p);
                // 3 points shared equally by the questions: exact in hundredths for 12, 6, 5, 10.
                let score_cp = u32::try_from(yes * 300 / n.max(1)).unwrap_or(0);
                RatioScore {
                    code: p.as_str(),
                    label: p.label(),
                    numerator: i64::try_from(yes).unwrap_or(0),
                    denominator: i64::try_from(n).unwrap_or(0),
                    percent_cp: None,
                    nilai: u8::try_from(yes * 100 / n.max(1)).unwrap_or(0),
                    weight: 3,
                    score_cp,
                    predicate: Predicate::of(score_cp, 300),
                }
            })
            .collect(),
    );
    let gross_shu = i.gross_participation + i.other_income - i.member_service_cost;
    let efficiency = aspect(
        Aspect::Efficiency,
        vec![
            scored(
                "member_cost",
                "Rasio beban operasi anggota terhadap partisipasi bruto",
                i.member_service_cost,
                i.gross_participation,
                4,
                &T_MEMBER_COST,
            ),
            scored(
                "operating_cost",
                "Rasio beban usaha terhadap SHU kotor",
                i.operating_expenses,
                gross_shu,
                4,
                &T_OPERATING_COST,
            ),
            scored(
                "service_efficiency",
                "Rasio efisiensi pelayanan (biaya karyawan ÷ volume pinjaman)",
                i.staff_expenses,
                i.loans,
                2,
                &T_SERVICE_EFFICIENCY,
            ),
        ],
    );
    let liquidity = aspect(
        Aspect::Liquidity,
        vec![
            scored("cash", "Rasio kas", i.cash_and_bank, i.current_liabilities, 10, &T_CASH),
            scored(
                "loans_to_funds",
                "Rasio pinjaman yang diberikan terhadap dana yang diterima",
                i.loans,
                i.funds_received,
                5,
                &T_LOANS_TO_FUNDS,
            ),
        ],
    );
    let net_participation = i.gross_participation - i.member_service_cost;
    let self_reliance = aspect(
        Aspect::SelfReliance,
        vec![
            scored("return_on_assets", "Rentabilitas aset", i.shu_before_tax, i.total_assets, 3, &T_RETURN),
            scored("return_on_capital", "Rentabilitas modal sendiri", i.shu_members, i.own_capital, 3, &T_RETURN),
            scored(
                "operational_self_reliance",
                "Kemandirian operasional pelayanan",
                net_participation,
                i.operating_expenses + i.cooperative_expenses,
                4,
                &T_SELF_RELIANCE,
            ),
        ],
    );
    let identity = aspect(
        Aspect::Identity,
        vec![
            scored(
                "gross_participation",
                "Rasio partisipasi bruto",
                i.gross_participation,
                i.gross_participation + i.other_income,
                7,
                &T_PARTICIPATION,
            ),
            scored(
                "member_promotion",
                "Rasio promosi ekonomi anggota (PEA)",
                i.member_economic_promotion,
                i.member_capital,
                3,
                &T_RETURN,
            ),
        ],
    );
    let aspects = vec![capital, quality, management, efficiency, liquidity, self_reliance, identity];
    let total_cp = aspects.iter().map(|a| a.score_cp).sum();
    Assessment {
        aspects,
        total_cp,
        predicate: Predicate::of(total_cp, 10_000),
        problem_loan_risk: risk,
        ppap_cover_cp: Ratio::new(i.risk_reserve.into(), i.ppap_required.into()).percent_cp(),
    }
}

/// Formats hundredths ("1234" → "12,34") the Indonesian way.
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", v.abs() / 100, v.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loan_is_at_risk_without_covering_collateral_or_a_guarantor() {
        assert!(loan_at_risk(5_000_000, 0, 0));
        assert!(loan_at_risk(5_000_000, 4_999_999, 0), "collateral short of the principal");
        assert!(!loan_at_risk(5_000_000, 5_000_000, 0), "collateral covering it");
        assert!(!loan_at_risk(5_000_000, 0, 1), "a guarantor");
        assert!(!loan_at_risk(0, 0, 0), "nothing outstanding");
    }

    /// A small set of books, every ratio computed by hand below.
    fn books() -> HealthInput {
        HealthInput {
            total_assets: 100_000_000,
            own_capital: 45_000_000,
            weighted_capital: 40_000_000,
            risk_weighted_assets: 80_000_000,
            loans: 70_000_000,
            loans_to_members: 70_000_000,
            loans_at_risk: 70_000_000,
            // lancar 60 M, DPK 2 M, KL 4 M, D 2 M, M 2 M
            loans_by_class: [60_000_000, 2_000_000, 4_000_000, 2_000_000, 2_000_000],
            risk_reserve: 3_000_000,
            ppap_required: 4_000_000,
            cash_and_bank: 6_000_000,
            current_liabilities: 50_000_000,
            funds_received: 80_000_000,
            member_capital: 40_000_000,
            gross_participation: 12_000_000,
            other_income: 1_000_000,
            member_service_cost: 3_000_000,
            operating_expenses: 5_000_000,
            cooperative_expenses: 0,
            staff_expenses: 2_800_000,
            shu_before_tax: 5_000_000,
            shu_members: 2_000_000,
            member_economic_promotion: 2_000_000,
            management: ManagementAnswers(vec![
                (ManagementPart::General, vec![true; 12]),
                (ManagementPart::Institution, vec![true, true, true, false, false, false]),
                (ManagementPart::Capital, vec![true, true, true, true, false]),
                (ManagementPart::Assets, vec![true; 7]),
                // Liquidity unanswered: all "no".
            ]),
        }
    }

    fn find<'a>(a: &'a Assessment, code: &str) -> &'a RatioScore {
        a.aspects.iter().flat_map(|x| &x.ratios).find(|r| r.code == code).unwrap()
    }

    #[test]
    fn hand_computed_worksheet() {
        let a = assess(&books());
        // (code, percent in hundredths, nilai, score in hundredths, predicate of the line)
        use Predicate::*;
        let expect: [(&str, Option<i64>, u8, u32, Predicate); 17] = [
            // 45/100 = 45 % → 40–60 band → 100 × 6 = 6.00
            ("capital_to_assets", Some(4_500), 100, 600, Sehat),
            // 45/70 = 64.29 % → 60 (full tens) × 6 = 3.60, 60 % of the weight
            ("capital_to_risky_loans", Some(6_429), 60, 360, DalamPengawasan),
            // 40/80 = 50 % ≥ 8 → 100 × 3
            ("capital_adequacy", Some(5_000), 100, 300, Sehat),
            ("member_loans", Some(10_000), 100, 1_000, Sehat),
            // risk = 50 % × 4 M + 75 % × 2 M + 2 M = 5.5 M; 5.5/70 = 7.86 % → 0–10 band → 80 × 5 = 4.00
            ("problem_loans", Some(786), 80, 400, Sehat),
            // 3/5.5 = 54.55 % → 50 < x ≤ 60 → 60 × 5 = 3.00
            ("reserve_cover", Some(5_455), 60, 300, DalamPengawasan),
            // KL+D+M = 8 M / 70 M = 11.43 % ≤ 20 → 100
            ("risky_loans", Some(1_143), 100, 500, Sehat),
            // 12/12 yes → 3.00; 3/6 → 1.50; 4/5 → 2.40; 7/10 → 2.10; 0/5 → 0
            ("general", None, 100, 300, Sehat),
            ("institution", None, 50, 150, DalamPengawasanKhusus),
            ("capital", None, 80, 240, Sehat),
            ("assets", None, 70, 210, CukupSehat),
            ("liquidity", None, 0, 0, DalamPengawasanKhusus),
            // 3/12 = 25 % ≤ 70 → 100 × 4
            ("member_cost", Some(2_500), 100, 400, Sehat),
            // SHU kotor = 12 + 1 − 3 = 10 M; 5/10 = 50 % → 40–60 → 75 × 4 = 3.00
            ("operating_cost", Some(5_000), 75, 300, CukupSehat),
            // 2.8/70 = 4 % ≤ 5 → 100 × 2
            ("service_efficiency", Some(400), 100, 200, Sehat),
            // 6/50 = 12 % → 10–15 → 100 × 10
            ("cash", Some(1_200), 100, 1_000, Sehat),
            // 70/80 = 87.5 % → 75–100 → 75 × 5 = 3.75
            ("loans_to_funds", Some(8_750), 75, 375, CukupSehat),
        ];
        for (code, pct, nilai, score, pred) in expect {
            let r = find(&a, code);
            if r.percent_cp.is_some() || pct.is_some() {
                assert_eq!(r.percent_cp, pct, "{code} percent");
            }
            assert_eq!((r.nilai, r.score_cp, r.predicate), (nilai, score, pred), "{code}");
        }
        // 5/100 = 5 % ≤ 5 → 25 × 3 = 0.75
        assert_eq!((find(&a, "return_on_assets").nilai, find(&a, "return_on_assets").score_cp), (25, 75));
        // 2/45 = 4.44 % → 25 × 3
        assert_eq!(find(&a, "return_on_capital").percent_cp, Some(444));
        assert_eq!(find(&a, "return_on_capital").score_cp, 75);
        // (12 − 3) / 5 = 180 % > 150 → 100 × 4
        assert_eq!(find(&a, "operational_self_reliance").score_cp, 400);
        // 12/13 = 92.31 % > 75 → 100 × 7
        assert_eq!(find(&a, "gross_participation").percent_cp, Some(9_231));
        assert_eq!(find(&a, "gross_participation").score_cp, 700);
        // 2/40 = 5 % ≤ 5 → 25 × 3
        assert_eq!(find(&a, "member_promotion").score_cp, 75);

        let by = |x: Aspect| a.aspects.iter().find(|s| s.aspect == x).unwrap().score_cp;
        assert_eq!(by(Aspect::Capital), 1_260); // 6 + 3.6 + 3
        assert_eq!(by(Aspect::AssetQuality), 2_200); // 10 + 4 + 3 + 5
        assert_eq!(by(Aspect::Management), 900); // 3 + 1.5 + 2.4 + 2.1 + 0
        assert_eq!(by(Aspect::Efficiency), 900); // 4 + 3 + 2
        assert_eq!(by(Aspect::Liquidity), 1_375); // 10 + 3.75
        assert_eq!(by(Aspect::SelfReliance), 550); // 0.75 + 0.75 + 4
        assert_eq!(by(Aspect::Identity), 775); // 7 + 0.75
        // 12.6 + 22 + 9 + 9 + 13.75 + 5.5 + 7.75 = 79.60 → cukup sehat (66 ≤ x < 80)
        assert_eq!(a.total_cp, 7_960);
        assert_eq!(a.predicate, Predicate::CukupSehat);
        assert_eq!(a.problem_loan_risk, 5_500_000);
        // 3 M formed ÷ 4 M required = 75 %
        assert_eq!(a.ppap_cover_cp, Some(7_500));
        assert_eq!(a.aspects.iter().map(|x| u32::from(x.weight)).sum::<u32>(), 100);
    }

    #[test]
    fn band_edges() {
        let r = |n: i128, d: i128| Ratio::new(n, d);
        // Upper bounds inclusive: exactly 20 % is the first band, just above the second.
        assert_eq!(T_OWN_CAPITAL_TO_ASSETS.nilai(r(20, 100)), 25);
        assert_eq!(T_OWN_CAPITAL_TO_ASSETS.nilai(r(2001, 10_000)), 50);
        assert_eq!(T_OWN_CAPITAL_TO_ASSETS.nilai(r(81, 100)), 25);
        // CAR: lower bounds inclusive (< 4, 4 ≤ x < 6 …).
        assert_eq!(T_CAPITAL_ADEQUACY.nilai(r(399, 10_000)), 0);
        assert_eq!(T_CAPITAL_ADEQUACY.nilai(r(4, 100)), 50);
        assert_eq!(T_CAPITAL_ADEQUACY.nilai(r(8, 100)), 100);
        // No problem loans at all scores 100; any scores at most 80; above 45 % scores 0.
        assert_eq!(T_PROBLEM_LOANS.nilai(r(0, 100)), 100);
        assert_eq!(T_PROBLEM_LOANS.nilai(r(1, 1_000_000)), 80);
        assert_eq!(T_PROBLEM_LOANS.nilai(r(46, 100)), 0);
        // 1b: 99.99 % is 90, 100 % and above 100; 9.99 % is 0.
        assert_eq!(nilai_capital_to_risky_loans(r(9_999, 10_000)), 90);
        assert_eq!(nilai_capital_to_risky_loans(r(3, 1)), 100);
        assert_eq!(nilai_capital_to_risky_loans(r(999, 10_000)), 0);
        // 2c: a reserve with no risk to cover is above every band.
        assert_eq!(nilai_reserve_cover(r(1, 0)), 100);
        assert_eq!(nilai_reserve_cover(r(0, 0)), 0);
        assert_eq!(nilai_reserve_cover(r(10, 100)), 10);
        assert_eq!(nilai_reserve_cover(r(1001, 10_000)), 20);
        // Cash: idle cash is penalised.
        assert_eq!(T_CASH.nilai(r(1, 0)), 25);
        assert_eq!(T_RETURN.nilai(r(75, 1_000)), 50);
        assert_eq!(T_RETURN.nilai(r(-5, 100)), 25);
    }

    #[test]
    fn predicate_bounds() {
        assert_eq!(Predicate::of(8_000, 10_000), Predicate::Sehat);
        assert_eq!(Predicate::of(7_999, 10_000), Predicate::CukupSehat);
        assert_eq!(Predicate::of(6_600, 10_000), Predicate::CukupSehat);
        assert_eq!(Predicate::of(5_100, 10_000), Predicate::DalamPengawasan);
        assert_eq!(Predicate::of(5_099, 10_000), Predicate::DalamPengawasanKhusus);
    }

    #[test]
    fn answers_round_trip_and_empty_books_do_not_panic() {
        let m = books().management;
        let s = m.encode();
        assert!(s.starts_with("general:111111111111;institution:111000;"));
        assert_eq!(ManagementAnswers::decode(&s).encode(), s);
        let a = assess(&HealthInput::default());
        assert_eq!(a.aspects.len(), 7);
        assert_eq!(hundredths(7_960), "79,60");
    }
}
