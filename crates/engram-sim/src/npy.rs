//! Streaming writers for 2-D float64 arrays: NumPy `.npy` (readable with `numpy.load`) and CSV;
//! whole 1-D arrays of `f64`, `u64` or `u32` written and read back bit-exactly (checkpoints).
//!
//! A streamed `.npy` file is a valid array at every flush: the writer keeps whole rows in its
//! own buffer, and each time it writes them out (when the buffer is full, on
//! [`ArrayWriter::flush`] and on [`ArrayWriter::finish`]) it first appends the rows and then
//! rewrites the fixed-size header with the number of rows now in the file. A run that is
//! killed therefore leaves a file that `numpy.load` (and [`read_npy_2d`]) reads up to the last
//! flush; if the kill falls between the two writes, the file holds at most one buffer of bytes
//! beyond the rows the header counts, which both readers ignore.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
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

/// Bytes an [`ArrayWriter`] buffers before it writes them to the file.
pub const WRITER_BUFFER_BYTES: usize = 1 << 16;

/// Writes rows of `columns` float64 values to a file as they come.
///
/// Rows are buffered ([`WRITER_BUFFER_BYTES`]) and written out when the buffer is full, on
/// [`flush`](Self::flush) and on [`finish`](Self::finish) (or drop). After each of these the
/// file is a complete `.npy` array (or CSV table) of the rows written out so far.
///
/// ```
/// use engram_sim::npy::{ArrayWriter, OutputFormat, read_npy_2d};
/// let path = std::env::temp_dir().join("engram_doc_array.npy");
/// let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["time_ms", "v_mv"]).unwrap();
/// w.write_row(&[0.0, -65.0]).unwrap();
/// w.write_row(&[0.1, -64.9]).unwrap();
/// w.flush().unwrap();                          // the file now reads as a (2, 2) array
/// assert_eq!(read_npy_2d(&path).unwrap().0, vec![2, 2]);
/// w.write_row(&[0.2, -64.8]).unwrap();         // buffered: not in the file yet
/// assert_eq!(read_npy_2d(&path).unwrap().0, vec![2, 2]);
/// w.finish().unwrap();
/// let (shape, data) = read_npy_2d(&path).unwrap();
/// assert_eq!((shape, data[5]), (vec![3, 2], -64.8));
/// let bytes = std::fs::read(&path).unwrap();
/// assert_eq!(&bytes[..6], b"\x93NUMPY");
/// assert_eq!(bytes.len(), 128 + 6 * 8);
/// ```
pub struct ArrayWriter {
    path: PathBuf,
    sink: Option<Sink>,
    columns: usize,
    /// Rows accepted by `write_row`.
    rows: u64,
    /// Rows whose bytes are in the file (and, for `.npy`, counted by its header).
    rows_on_disk: u64,
}

/// Where the rows go: `.npy` bytes through our own buffer (the header is rewritten at each
/// flush), or CSV through the `csv` crate's writer (which buffers by itself).
enum Sink {
    Npy { file: File, buffer: Vec<u8> },
    Csv { writer: Box<csv::Writer<File>>, field: String },
}

impl ArrayWriter {
    /// Create (truncate) `path` for rows with the given column names.
    pub fn create(path: &Path, format: OutputFormat, columns: &[&str]) -> Result<Self, EngramError> {
        let io = |source| EngramError::Output { path: path.to_path_buf(), source };
        let mut file = File::create(path).map_err(io)?;
        let sink = match format {
            OutputFormat::Npy => {
                file.write_all(&npy_header(0, columns.len())).map_err(io)?;
                Sink::Npy { file, buffer: Vec::with_capacity(WRITER_BUFFER_BYTES) }
            }
            OutputFormat::Csv => {
                let mut writer = csv::WriterBuilder::new().buffer_capacity(WRITER_BUFFER_BYTES).from_writer(file);
                writer.write_record(columns).map_err(|e| csv_error(path, e))?;
                writer.flush().map_err(io)?;
                Sink::Csv { writer: Box::new(writer), field: String::with_capacity(32) }
            }
        };
        Ok(Self { path: path.to_path_buf(), sink: Some(sink), columns: columns.len(), rows: 0, rows_on_disk: 0 })
    }

    /// Append one row (must have one value per column). Writes the buffer out first if the
    /// row would not fit in it.
    pub fn write_row(&mut self, row: &[f64]) -> Result<(), EngramError> {
        debug_assert_eq!(row.len(), self.columns);
        let needs_room = matches!(&self.sink, Some(Sink::Npy { buffer, .. })
            if !buffer.is_empty() && buffer.len() + 8 * row.len() > buffer.capacity());
        if needs_room {
            self.flush()?;
        }
        let full = match self.sink.as_mut() {
            None => return Err(EngramError::Other(format!("{} is already finished", self.path.display()))),
            Some(Sink::Npy { buffer, .. }) => {
                row.iter().for_each(|x| buffer.extend_from_slice(&x.to_le_bytes()));
                buffer.len() >= WRITER_BUFFER_BYTES
            }
            Some(Sink::Csv { writer, field }) => {
                use std::fmt::Write as _;
                for x in row {
                    field.clear();
                    write!(field, "{x}").expect("writing to a String cannot fail");
                    writer.write_field(field.as_bytes()).map_err(|e| csv_error(&self.path, e))?;
                }
                writer.write_record(None::<&[u8]>).map_err(|e| csv_error(&self.path, e))?;
                false
            }
        };
        self.rows += 1;
        if full {
            self.flush()?;
        }
        Ok(())
    }

    /// Rows written so far (buffered or in the file).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Rows in the file, i.e. written out by the last flush.
    pub fn rows_on_disk(&self) -> u64 {
        self.rows_on_disk
    }

    /// Write the buffered rows to the file; for `.npy`, then rewrite the header with the
    /// number of rows now in the file (data first, header second, so the header never counts
    /// rows that are not on disk). Does nothing when no row is buffered or after
    /// [`finish`](Self::finish).
    pub fn flush(&mut self) -> Result<(), EngramError> {
        if self.rows_on_disk == self.rows {
            return Ok(());
        }
        let io = |source| EngramError::Output { path: self.path.clone(), source };
        match self.sink.as_mut() {
            None => return Ok(()),
            Some(Sink::Npy { file, buffer }) => {
                file.write_all(buffer).map_err(io)?;
                buffer.clear();
                file.seek(SeekFrom::Start(0)).map_err(io)?;
                file.write_all(&npy_header(self.rows, self.columns)).map_err(io)?;
                file.seek(SeekFrom::End(0)).map_err(io)?;
            }
            Some(Sink::Csv { writer, .. }) => writer.flush().map_err(io)?,
        }
        self.rows_on_disk = self.rows;
        Ok(())
    }

    /// Flush and close. Safe to call twice; later rows are refused.
    pub fn finish(&mut self) -> Result<(), EngramError> {
        self.flush()?;
        self.sink = None;
        Ok(())
    }
}

fn csv_error(path: &Path, e: csv::Error) -> EngramError {
    EngramError::Output { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
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

/// Read a C-ordered `.npy` array of element type `T` (any shape, flattened). Strict: the file
/// must hold exactly the elements its shape says (checkpoints are written whole).
pub fn read_npy_1d<T: NpyElement>(path: &Path) -> Result<Vec<T>, EngramError> {
    read_npy(path, false).map(|(_, data)| data)
}

/// Read a C-ordered `<f8` `.npy` array of any shape: its shape and its elements, row-major.
///
/// Reads exactly the number of elements the header's shape says and, as `numpy.load` does,
/// ignores bytes beyond them (a streamed file whose run was killed between writing rows and
/// rewriting the header has up to one buffer of them; see [`ArrayWriter`]). Fails, saying
/// how much is missing, if the file holds fewer elements than its shape.
///
/// ```
/// use engram_sim::npy::{OutputFormat, read_npy_2d, write_array};
/// let path = std::env::temp_dir().join("engram_doc_2d.npy");
/// write_array(&path, OutputFormat::Npy, &["a", "b", "c"], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// let (shape, data) = read_npy_2d(&path).unwrap();
/// assert_eq!(shape, vec![2, 3]);
/// assert_eq!(data[3], 4.0);                    // row 1, column 0
/// ```
pub fn read_npy_2d(path: &Path) -> Result<(Vec<usize>, Vec<f64>), EngramError> {
    read_npy(path, true)
}

/// Shape and elements of a `.npy` file; `trailing`: accept bytes after the last element.
fn read_npy<T: NpyElement>(path: &Path, trailing: bool) -> Result<(Vec<usize>, Vec<T>), EngramError> {
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
    let shape_text = field("shape").ok_or_else(|| bad("no 'shape' in the header".into()))?;
    let shape = shape_text
        .trim_matches(['(', ')'])
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<usize>().map_err(|_| bad(format!("bad shape {shape_text}"))))
        .collect::<Result<Vec<usize>, _>>()?;
    let len = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| bad(format!("shape {shape_text} is too large")))?;
    let data = &bytes[start + header_len..];
    let need = len.checked_mul(T::SIZE).ok_or_else(|| bad(format!("shape {shape_text} is too large")))?;
    if data.len() < need || (!trailing && data.len() > need) {
        return Err(bad(format!(
            "{} data bytes, but shape {shape_text} of '{}' needs {need} ({len} elements)",
            data.len(),
            T::DESCR
        )));
    }
    Ok((shape, data[..need].chunks_exact(T::SIZE).map(T::get).collect()))
}
