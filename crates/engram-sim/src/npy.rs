//! Streaming writers for 2-D float64 arrays: NumPy `.npy` (readable with `numpy.load`) and CSV.
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
