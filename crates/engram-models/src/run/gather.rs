//! What a run across ranks gathers to rank 0 to write the single process's files: neuron state
//! after the run ([`write_gathered_state`]) and weights during it ([`WeightGather`]).

use std::path::Path;

use engram_core::error::EngramError;
use engram_sim::npy::{ArrayWriter, OutputFormat, write_array};
use engram_sim::{MonitorId, Network, StateMonitor, WeightMonitor};

/// `values` as words for [`Network::all_gather_over_ranks`]: each `f64` as the two `u32`
/// words of its bits, so that it arrives bit for bit.
fn to_words(values: &[f64]) -> Vec<u32> {
    let mut send = Vec::with_capacity(2 * values.len());
    for x in values {
        let bits = x.to_bits();
        send.extend_from_slice(&[(bits >> 32) as u32, bits as u32]);
    }
    send
}

/// The `f64` of two words written by [`to_words`].
fn from_words(w: &[u32]) -> f64 {
    f64::from_bits((u64::from(w[0]) << 32) | u64::from(w[1]))
}

/// Gather, from every rank of a run across ranks, what the state monitor `id` recorded of
/// its own neurons (one collective exchange: every rank calls this for the same monitors in
/// the same order, a rank that owns none of the neurons sending nothing), and with `out`
/// (rank 0) write the whole array into it as the streaming monitor of a single process
/// would: one row per sample, `time_ms` then the requested neurons in the requested order.
/// Each value travels as two `u32` words (its bits), so the file is that of a single process
/// byte for byte.
pub(super) fn write_gathered_state(
    net: &mut Network,
    id: MonitorId,
    out: Option<&Path>,
    format: OutputFormat,
) -> Result<(), EngramError> {
    let m = net
        .monitor::<StateMonitor>(id)
        .ok_or_else(|| EngramError::Other(format!("no state monitor with id {id:?} to gather")))?;
    let send = to_words(m.values());
    let n_ranks = net.partition().map_or(1, |p| p.n_ranks());
    let positions: Vec<Vec<usize>> = (0..n_ranks).map(|r| m.positions_on_rank(r)).collect();
    let times_ms = m.times_ms().to_vec();
    let columns = m.column_names();
    let file = m.file_name(format);
    let (mut recv, mut counts) = (Vec::new(), Vec::new());
    net.all_gather_over_ranks(&send, &mut recv, &mut counts)?;
    let Some(dir) = out else { return Ok(()) };
    let width = columns.len();
    let mut data = vec![0.0; times_ms.len() * width];
    for (row, &t) in data.chunks_exact_mut(width).zip(&times_ms) {
        row[0] = t;
    }
    if counts.len() != n_ranks {
        return Err(EngramError::Other(format!(
            "gathering {file}: {} ranks answered, the run has {n_ranks}",
            counts.len()
        )));
    }
    let mut offset = 0;
    for (rank, (&count, pos)) in counts.iter().zip(&positions).enumerate() {
        let expected = 2 * times_ms.len() * pos.len();
        if count != expected {
            return Err(EngramError::Other(format!(
                "gathering {file}: rank {rank} sent {count} words, expected {expected} ({} samples of {} \
                 neurons, two words each)",
                times_ms.len(),
                pos.len()
            )));
        }
        for (j, w) in recv[offset..offset + count].chunks_exact(2).enumerate() {
            let (sample, k) = (j / pos.len(), pos[j % pos.len()]);
            data[sample * width + 1 + k] = from_words(w);
        }
        offset += count;
    }
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    write_array(&dir.join(&file), format, &columns, &data)
}

/// A description's `Weights` monitor in a run across ranks. Every rank records the weights
/// of its own synapses of the projection (those onto its own neurons) in a [`WeightMonitor`]
/// kept in memory, at the same steps as the single process; after each chunk of the run
/// ([`drain`](Self::drain)) the ranks gather the samples taken since the last one, and rank 0
/// puts each sample's synapses back in the single process's CSR order (row by row, each
/// rank's part of a row in rank order) and appends the rows to `weights_<projection>`, which
/// is then the single process's file byte for byte.
pub(super) struct WeightGather {
    id: MonitorId,
    file: String,
    /// Rank 0 with a run directory: the file being written, and where each synapse of each
    /// rank goes in a row (after the time column).
    writer: Option<(ArrayWriter, Vec<Vec<usize>>)>,
    row: Vec<f64>,
}

impl WeightGather {
    /// After `build`: the ranks swap the number of synapses in each row of `projection` that
    /// they hold (one collective exchange; every rank makes it for the same monitors in the
    /// same order), and rank 0 (`out`) creates the file, as the single process's monitor does
    /// when it binds.
    pub(super) fn new(
        net: &mut Network,
        id: MonitorId,
        projection: &str,
        out: Option<&Path>,
        format: OutputFormat,
    ) -> Result<Self, EngramError> {
        let p = net.projection(projection)?;
        let indptr = net.weights(p).indptr();
        let send: Vec<u32> = indptr.raw_storage().windows(2).map(|w| (w[1] - w[0]) as u32).collect();
        let n_pre = send.len();
        let (mut recv, mut counts) = (Vec::new(), Vec::new());
        net.all_gather_over_ranks(&send, &mut recv, &mut counts)?;
        let file = WeightMonitor::file_name(projection, format);
        let Some(dir) = out else { return Ok(Self { id, file, writer: None, row: Vec::new() }) };
        if counts.iter().any(|&c| c != n_pre) {
            return Err(EngramError::Other(format!(
                "gathering {file}: the ranks hold {counts:?} rows of `{projection}`, expected {n_pre} each"
            )));
        }
        let lengths: Vec<&[u32]> = recv.chunks_exact(n_pre.max(1)).take(counts.len()).collect();
        let mut global_of: Vec<Vec<usize>> = vec![Vec::new(); counts.len()];
        let mut at = 1;
        for row in 0..n_pre {
            for (rank, len) in lengths.iter().enumerate() {
                global_of[rank].extend(at..at + len[row] as usize);
                at += len[row] as usize;
            }
        }
        let columns = WeightMonitor::column_names(at - 1);
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let writer = ArrayWriter::create(&dir.join(&file), format, &columns)?;
        Ok(Self { id, file, writer: Some((writer, global_of)), row: vec![0.0; at] })
    }

    /// Gather the samples every rank took since the last call and, on rank 0, append them to
    /// the file. A collective call when there are samples (every rank samples at the same
    /// steps, so every rank makes it or none does).
    pub(super) fn drain(&mut self, net: &mut Network) -> Result<(), EngramError> {
        let m = net
            .monitor_mut::<WeightMonitor>(self.id)
            .ok_or_else(|| EngramError::Other(format!("no weight monitor with id {:?} to gather", self.id)))?;
        let (times_ms, values) = m.take_samples();
        if times_ms.is_empty() {
            return Ok(());
        }
        let (mut recv, mut counts) = (Vec::new(), Vec::new());
        net.all_gather_over_ranks(&to_words(&values), &mut recv, &mut counts)?;
        let Some((writer, global_of)) = &mut self.writer else { return Ok(()) };
        let n = times_ms.len();
        let mut parts = Vec::with_capacity(counts.len());
        let mut offset = 0;
        for (rank, (&count, global)) in counts.iter().zip(global_of.iter()).enumerate() {
            if count != 2 * n * global.len() {
                return Err(EngramError::Other(format!(
                    "gathering {}: rank {rank} sent {count} words, expected {} ({n} samples of {} synapses, \
                     two words each)",
                    self.file,
                    2 * n * global.len(),
                    global.len()
                )));
            }
            parts.push(&recv[offset..offset + count]);
            offset += count;
        }
        for (sample, &t) in times_ms.iter().enumerate() {
            self.row[0] = t;
            for (part, global) in parts.iter().zip(global_of.iter()) {
                let words = &part[2 * sample * global.len()..2 * (sample + 1) * global.len()];
                for (w, &g) in words.chunks_exact(2).zip(global) {
                    self.row[g] = from_words(w);
                }
            }
            writer.write_row(&self.row)?;
        }
        Ok(())
    }

    /// Close the file (rank 0), complete with the rows gathered so far.
    pub(super) fn finish(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), |(w, _)| w.finish())
    }
}
