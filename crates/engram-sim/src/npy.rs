//! Streaming writers for 2-D float64 arrays: NumPy `.npy` (readable with `numpy.load`) and CSV;
//! whole 1-D arrays of `f64`, `u64` or `u32` written and read back bit-exactly (checkpoints).
//!
//! The `.npy` header is written with room for the final shape and rewritten when the writer
//! is finished, so rows can be streamed while the run goes on.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;

/// Output file format of the monitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OutputFormat {
    /// NumPy `.npy`, float64, shape (rows, columns).
    Npy,
    /// Comma-separated values with a header line.
    Csv,
}

impl OutputFormat {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Npy => "npy",
            OutputFormat::Csv => "csv",
        }
    }
}

const HEADER_LEN: usize = 128;

/// Writes rows of `columns` float64 values to a file as they come.
///
/// ```
/// use engram_sim::npy::{ArrayWriter, OutputFormat};
/// let path = std::env::temp_dir().join("engram_doc_array.npy");
/// let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["time_ms", "v_mv"]).unwrap();
/// w.write_row(&[0.0, -65.0]).unwrap();
/// w.write_row(&[0.1, -64.9]).unwrap();
/// w.finish().unwrap();
/// let bytes = std::fs::read(&path).unwrap();
/// assert_eq!(&bytes[..6], b"\x93NUMPY");
/// assert!(String::from_utf8_lossy(&bytes[..128]).contains("'shape': (2, 2)"));
/// assert_eq!(bytes.len(), 128 + 4 * 8);
/// ```
pub struct ArrayWriter {
    path: PathBuf,
    format: OutputFormat,
    out: Option<BufWriter<File>>,
    columns: usize,
    rows: u64,
}

impl ArrayWriter {
    /// Create (truncate) `path` for rows with the given column names.
    pub fn create(path: &Path, format: OutputFormat, columns: &[&str]) -> Result<Self, EngramError> {
        let io = |source| EngramError::Output { path: path.to_path_buf(), source };
        let mut out = BufWriter::with_capacity(1 << 16, File::create(path).map_err(io)?);
        match format {
            OutputFormat::Npy => out.write_all(&npy_header(0, columns.len())).map_err(io)?,
            OutputFormat::Csv => writeln!(out, "{}", columns.join(",")).map_err(io)?,
        }
        Ok(Self { path: path.to_path_buf(), format, out: Some(out), columns: columns.len(), rows: 0 })
    }

    /// Append one row (must have one value per column).
    pub fn write_row(&mut self, row: &[f64]) -> Result<(), EngramError> {
        debug_assert_eq!(row.len(), self.columns);
        let Some(out) = self.out.as_mut() else {
            return Err(EngramError::Other(format!("{} is already finished", self.path.display())));
        };
        let r = match self.format {
            OutputFormat::Npy => row.iter().try_for_each(|x| out.write_all(&x.to_le_bytes())),
            OutputFormat::Csv => {
                let mut first = true;
                row.iter()
                    .try_for_each(|x| {
                        let sep = if first { "" } else { "," };
                        first = false;
                        write!(out, "{sep}{x}")
                    })
                    .and_then(|_| writeln!(out))
            }
        };
        r.map_err(|source| EngramError::Output { path: self.path.clone(), source })?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flush, write the final shape, close. Safe to call twice.
    pub fn finish(&mut self) -> Result<(), EngramError> {
        let Some(mut out) = self.out.take() else { return Ok(()) };
        let io = |source| EngramError::Output { path: self.path.clone(), source };
        if self.format == OutputFormat::Npy {
            out.seek(SeekFrom::Start(0)).map_err(io)?;
            out.write_all(&npy_header(self.rows, self.columns)).map_err(io)?;
        }
        out.flush().map_err(io)
    }
}

impl Drop for ArrayWriter {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

fn npy_header(rows: u64, columns: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"\x93NUMPY\x01\x00");
    h.extend_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h.resize(HEADER_LEN - 1, b' ');
    h.push(b'\n');
    h
}

/// Write a whole 2-D array (row-major `data`, `columns` wide) at once.
pub fn write_array(path: &Path, format: OutputFormat, columns: &[&str], data: &[f64]) -> Result<(), EngramError> {
    let mut w = ArrayWriter::create(path, format, columns)?;
    for row in data.chunks(columns.len().max(1)) {
        w.write_row(row)?;
    }
    w.finish()
}

/// An element type of 1-D `.npy` arrays: `<f8`, `<u8` or `<u4`, little-endian.
pub trait NpyElement: Copy + Sized {
    /// The NumPy type string, e.g. `<f8`.
    const DESCR: &'static str;
    /// Bytes per element.
    const SIZE: usize;
    /// Append the little-endian bytes of `self`.
    fn put(self, out: &mut Vec<u8>);
    /// Read one element from `SIZE` little-endian bytes.
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! npy_element {
    ($t:ty, $descr:literal) => {
        impl NpyElement for $t {
            const DESCR: &'static str = $descr;
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("element size"))
            }
        }
    };
}
npy_element!(f64, "<f8");
npy_element!(u64, "<u8");
npy_element!(u32, "<u4");

/// Write `data` as a 1-D `.npy` array (shape `(len,)`), bit-exactly.
///
/// ```
/// use engram_sim::npy::{read_npy_1d, write_npy_1d};
/// let path = std::env::temp_dir().join("engram_doc_1d.npy");
/// let x = [0.1, f64::NAN, -0.0, f64::INFINITY];
/// write_npy_1d(&path, &x).unwrap();
/// let back: Vec<f64> = read_npy_1d(&path).unwrap();
/// assert!(x.iter().zip(&back).all(|(a, b)| a.to_bits() == b.to_bits()));
/// assert!(read_npy_1d::<u64>(&path).unwrap_err().to_string().contains("holds '<f8'"));
/// ```
pub fn write_npy_1d<T: NpyElement>(path: &Path, data: &[T]) -> Result<(), EngramError> {
    let dict = format!("{{'descr': '{}', 'fortran_order': False, 'shape': ({},), }}", T::DESCR, data.len());
    let mut bytes = Vec::with_capacity(HEADER_LEN + data.len() * T::SIZE);
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes.resize(HEADER_LEN - 1, b' ');
    bytes.push(b'\n');
    for &x in data {
        x.put(&mut bytes);
    }
    std::fs::write(path, bytes).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}

/// Read a C-ordered `.npy` array of element type `T` (any shape, flattened).
pub fn read_npy_1d<T: NpyElement>(path: &Path) -> Result<Vec<T>, EngramError> {
    let bad = |what: String| EngramError::Other(format!("{}: {what}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("not a .npy file".into()));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize, 12),
        v => return Err(bad(format!(".npy version {v} is not supported"))),
    };
    let header = bytes.get(start..start + header_len).ok_or_else(|| bad("truncated header".into()))?;
    let header = String::from_utf8_lossy(header);
    let field = |key: &str| -> Option<String> {
        let at = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
        let end = if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}'])? };
        Some(rest[..end].trim().trim_matches('\'').to_string())
    };
    let descr = field("descr").ok_or_else(|| bad("no 'descr' in the header".into()))?;
    if descr != T::DESCR {
        return Err(bad(format!("holds '{descr}', expected '{}'", T::DESCR)));
    }
    if field("fortran_order").as_deref() != Some("False") {
        return Err(bad("Fortran-ordered arrays are not supported".into()));
    }
    let shape = field("shape").ok_or_else(|| bad("no 'shape' in the header".into()))?;
    let mut len = 1usize;
    for dim in shape.trim_matches(['(', ')']).split(',').map(str::trim).filter(|d| !d.is_empty()) {
        len *= dim.parse::<usize>().map_err(|_| bad(format!("bad shape {shape}")))?;
    }
    let data = &bytes[start + header_len..];
    if data.len() != len * T::SIZE {
        return Err(bad(format!("{} data bytes for {len} elements of {}", data.len(), T::DESCR)));
    }
    Ok(data.chunks_exact(T::SIZE).map(T::get).collect())
}
