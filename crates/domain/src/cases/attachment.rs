//! Attachments to a case (scans, photos): what is accepted, decided from the file's own first
//! bytes, never from its name or the type the browser claims. Only PDF, JPEG and PNG, at most
//! [`MAX_BYTES`]; an `.exe` renamed `.pdf` is refused because it does not start like a PDF.

use std::fmt;

/// The largest attachment accepted, in bytes (10 MiB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// The kind a file name's extension claims, if it is one we accept.
    fn from_extension(ext: &str) -> Option<FileKind> {
        match ext.to_ascii_lowercase().as_str() {
            "pdf" => Some(FileKind::Pdf),
            "jpg" | "jpeg" => Some(FileKind::Jpeg),
            "png" => Some(FileKind::Png),
            _ => None,
        }
    }
}

/// The kind of file these bytes are, by their magic number.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind::Png)
    } else {
        None
    }
}

/// Why a file was refused. `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentRefused {
    Empty,
    TooLarge {
        size: usize,
        max: usize,
    },
    /// The content is not a PDF, JPEG or PNG (whatever its name says).
    UnsupportedType,
    /// The name claims another accepted type than the content is (`scan.pdf` holding a PNG).
    ExtensionMismatch {
        claimed: FileKind,
        actual: FileKind,
    },
}

impl AttachmentRefused {
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentRefused::Empty => "empty",
            AttachmentRefused::TooLarge { .. } => "too_large",
            AttachmentRefused::UnsupportedType => "unsupported_type",
            AttachmentRefused::ExtensionMismatch { .. } => "extension_mismatch",
        }
    }
}

impl fmt::Display for AttachmentRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentRefused::Empty => f.write_str("the file is empty"),
            AttachmentRefused::TooLarge { size, max } => {
                write!(f, "the file has {size} bytes; at most {max} bytes ({} MB) are accepted", max / (1024 * 1024))
            }
            AttachmentRefused::UnsupportedType => {
                f.write_str("only PDF, JPEG and PNG files are accepted, and this file's content is none of them")
            }
            AttachmentRefused::ExtensionMismatch { claimed, actual } => {
                write!(f, "the name says .{} but the content is {}", claimed.extension(), actual.content_type())
            }
        }
    }
}

/// An accepted file: its kind and a safe name to offer on download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub kind: FileKind,
    pub file_name: String,
}

/// Keeps letters, digits, `.`, `-`, `_` and spaces (as `_`) of the last path segment.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(MAX_NAME_CHARS)
        .collect();
    cleaned.trim_matches('.').to_string()
}

/// Checks a file: size, content type by magic bytes, and a name that does not pretend to be
/// another type. The returned name always ends with the content's extension.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<Accepted, AttachmentRefused> {
    if bytes.is_empty() {
        return Err(AttachmentRefused::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AttachmentRefused::TooLarge { size: bytes.len(), max: MAX_BYTES });
    }
    let kind = sniff(bytes).ok_or(AttachmentRefused::UnsupportedType)?;
    let name = clean_name(file_name);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), Some(ext.to_string())),
        _ => (name.clone(), None),
    };
    let file_name = match ext.as_deref().map(|e| (e, FileKind::from_extension(e))) {
        Some((_, Some(claimed))) if claimed != kind => {
            return Err(AttachmentRefused::ExtensionMismatch { claimed, actual: kind });
        }
        Some((_, Some(_))) => name,
        // No extension, or one we do not serve (.exe, .html): keep the stem, add the real one.
        Some((e, None)) => format!("{stem}_{e}.{}", kind.extension()),
        None if stem.is_empty() => format!("attachment.{}", kind.extension()),
        None => format!("{stem}.{}", kind.extension()),
    };
    Ok(Accepted { kind, file_name })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n...";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00";

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check("scan.pdf", PDF).unwrap(), Accepted { kind: FileKind::Pdf, file_name: "scan.pdf".into() });
        assert_eq!(check("foto.JPEG", JPEG).unwrap().kind, FileKind::Jpeg);
        assert_eq!(check("photo.png", PNG).unwrap().kind, FileKind::Png);
        assert_eq!(check("invoice.pdf", EXE), Err(AttachmentRefused::UnsupportedType));
        assert_eq!(check("page.html", b"<html><script>alert(1)</script>").unwrap_err().code(), "unsupported_type");
        let e = check("scan.pdf", PNG).unwrap_err();
        assert_eq!(e, AttachmentRefused::ExtensionMismatch { claimed: FileKind::Pdf, actual: FileKind::Png });
        assert_eq!(e.to_string(), "the name says .pdf but the content is image/png");
    }

    #[test]
    fn size_limits() {
        assert_eq!(check("a.pdf", b""), Err(AttachmentRefused::Empty));
        let mut big = PDF.to_vec();
        big.resize(MAX_BYTES, b' ');
        assert!(check("a.pdf", &big).is_ok());
        big.push(b' ');
        assert_eq!(check("a.pdf", &big).unwrap_err().code(), "too_large");
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(check("../../etc/passwd", PDF).unwrap().file_name, "passwd.pdf");
        assert_eq!(check("C:\\Users\\x\\scan 1.pdf", PDF).unwrap().file_name, "scan_1.pdf");
        assert_eq!(check("report.exe", PDF).unwrap().file_name, "report_exe.pdf");
        assert_eq!(check("", PNG).unwrap().file_name, "attachment.png");
        assert_eq!(check("a\"; filename=x.html", JPEG).unwrap().file_name, "a___filename_x_html.jpg");
        assert!(check(&"x".repeat(500), PDF).unwrap().file_name.chars().count() <= MAX_NAME_CHARS + 4);
    }
}
