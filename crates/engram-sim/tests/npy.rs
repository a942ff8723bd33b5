//! Streamed `.npy` files are valid at every flush: readable while the writer is open, and up
//! to the last flush after a kill; the reader takes what the header says and no more.

use std::io::Write;
use std::path::PathBuf;

use crate::toy::ToyLif;
use engram_sim::npy::{ArrayWriter, OutputFormat, WRITER_BUFFER_BYTES, read_npy_1d, read_npy_2d, write_npy_1d};
use engram_sim::prelude::*;
use engram_sim::stimulus::ConstantCurrent;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("engram_npy_test_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Row `r`: values whose bits are all distinct and awkward (negative zero, NaN payloads).
fn row(r: u64) -> [f64; 3] {
    [r as f64, f64::from_bits(0x7ff8_0000_0000_0000 | r), if r % 2 == 0 { -0.0 } else { -(r as f64) / 3.0 }]
}

fn assert_rows_bit_exact(data: &[f64], rows: u64) {
    assert_eq!(data.len() as u64, rows * 3);
    for r in 0..rows {
        let got: Vec<u64> = data[r as usize * 3..][..3].iter().map(|x| x.to_bits()).collect();
        let want: Vec<u64> = row(r).iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, want, "row {r}");
    }
}

#[test]
fn a_flushed_file_reads_while_the_writer_is_open() {
    let path = scratch("open.npy");
    let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["a", "b", "c"]).unwrap();
    // freshly created: a valid empty array
    assert_eq!(read_npy_2d(&path).unwrap(), (vec![0, 3], vec![]));
    for r in 0..5 {
        w.write_row(&row(r)).unwrap();
    }
    assert_eq!(read_npy_2d(&path).unwrap().0, vec![0, 3], "rows stay buffered until a flush");
    w.flush().unwrap();
    assert_eq!(w.rows_on_disk(), 5);
    let (shape, data) = read_npy_2d(&path).unwrap();
    assert_eq!(shape, vec![5, 3]);
    assert_rows_bit_exact(&data, 5);
    // the file holds exactly the flushed rows, no more
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 128 + 5 * 24);
    for r in 5..7 {
        w.write_row(&row(r)).unwrap();
    }
    w.flush().unwrap();
    w.flush().unwrap(); // nothing new: no change
    let (shape, data) = read_npy_2d(&path).unwrap();
    assert_eq!(shape, vec![7, 3]);
    assert_rows_bit_exact(&data, 7);
    w.finish().unwrap();
    assert!(w.write_row(&row(7)).is_err(), "a finished writer refuses rows");
    assert_eq!(read_npy_2d(&path).unwrap().0, vec![7, 3]);
}

#[test]
fn a_killed_writer_leaves_the_rows_up_to_its_last_flush() {
    let path = scratch("killed.npy");
    let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["a", "b", "c"]).unwrap();
    for r in 0..10 {
        w.write_row(&row(r)).unwrap();
    }
    w.flush().unwrap();
    for r in 10..15 {
        w.write_row(&row(r)).unwrap();
    }
    std::mem::forget(w); // no finish, no drop: as if the process were killed
    let (shape, data) = read_npy_2d(&path).unwrap();
    assert_eq!(shape, vec![10, 3]);
    assert_rows_bit_exact(&data, 10);
}

#[test]
fn a_full_buffer_is_written_out_with_its_header() {
    let path = scratch("full.npy");
    let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["a", "b", "c"]).unwrap();
    let n = 3 * WRITER_BUFFER_BYTES as u64 / 24 + 7;
    for r in 0..n {
        w.write_row(&row(r)).unwrap();
    }
    let on_disk = w.rows_on_disk();
    // whole buffers went out on their own; the rest is still buffered
    assert!(on_disk > 0 && on_disk < n, "{on_disk} of {n}");
    assert!((n - on_disk) * 24 <= WRITER_BUFFER_BYTES as u64);
    std::mem::forget(w);
    let (shape, data) = read_npy_2d(&path).unwrap();
    assert_eq!(shape, vec![on_disk as usize, 3]);
    assert_rows_bit_exact(&data, on_disk);
}

#[test]
fn bytes_beyond_the_shape_are_ignored_and_missing_ones_are_an_error() {
    let path = scratch("trailing.npy");
    let mut w = ArrayWriter::create(&path, OutputFormat::Npy, &["a", "b", "c"]).unwrap();
    for r in 0..4 {
        w.write_row(&row(r)).unwrap();
    }
    w.finish().unwrap();
    // a kill between writing rows and rewriting the header: rows beyond the header's count
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&[0xab; 24 * 2 + 5]).unwrap();
    drop(f);
    let (shape, data) = read_npy_2d(&path).unwrap();
    assert_eq!(shape, vec![4, 3]);
    assert_rows_bit_exact(&data, 4);
    // the strict 1-D reader (checkpoints) refuses them
    assert!(read_npy_1d::<f64>(&path).unwrap_err().to_string().contains("needs 96"));
    // fewer bytes than the shape needs
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..128 + 24 * 3 + 1]).unwrap();
    let err = read_npy_2d(&path).unwrap_err().to_string();
    assert!(err.contains("73 data bytes") && err.contains("needs 96 (12 elements)"), "{err}");
}

#[test]
fn the_reader_takes_any_shape_and_only_f8() {
    let path = scratch("shapes.npy");
    write_npy_1d(&path, &[1.5, 2.5, 3.5]).unwrap();
    assert_eq!(read_npy_2d(&path).unwrap(), (vec![3], vec![1.5, 2.5, 3.5]));
    write_npy_1d(&path, &[1u64, 2]).unwrap();
    assert!(read_npy_2d(&path).unwrap_err().to_string().contains("holds '<u8', expected '<f8'"));
}

#[test]
fn csv_streams_flush_whole_lines() {
    let path = scratch("table.csv");
    let mut w = ArrayWriter::create(&path, OutputFormat::Csv, &["time_ms", "v_mv"]).unwrap();
    w.write_row(&[0.0, -65.0]).unwrap();
    w.write_row(&[0.1, -64.5]).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "time_ms,v_mv\n");
    w.flush().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "time_ms,v_mv\n0,-65\n0.1,-64.5\n");
    w.write_row(&[0.2, -64.0]).unwrap();
    std::mem::forget(w);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
}

#[test]
fn flushing_the_monitors_makes_every_stream_readable_mid_run() {
    let dir = scratch("monitors");
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("L", ToyLif::new(5, 3)).unwrap();
    b.add_stimulus("L", ConstantCurrent::new(5.0)).unwrap();
    let sm = b.add_monitor(SpikeMonitor::new(&["L"]).streaming_to(&dir, OutputFormat::Npy));
    let st = b.add_monitor(StateMonitor::new("L", "v_mv", &[0, 4], 10).streaming_to(&dir, OutputFormat::Npy));
    b.add_monitor(RateMonitor::new(&["L"], 5.0).streaming_to(&dir, OutputFormat::Npy));
    let mut net = b.build().unwrap();
    net.run_steps(1000).unwrap();
    net.flush_monitors().unwrap();

    let spikes = net.monitor::<SpikeMonitor>(sm).unwrap();
    assert!(spikes.count("L") > 0);
    let (shape, data) = read_npy_2d(&dir.join("spikes_L.npy")).unwrap();
    assert_eq!(shape, vec![spikes.count("L"), 2]);
    for (k, (t, i)) in spikes.times_ms("L").iter().zip(spikes.neurons("L")).enumerate() {
        assert_eq!((data[2 * k].to_bits(), data[2 * k + 1]), (t.to_bits(), *i as f64));
    }
    let state = net.monitor::<StateMonitor>(st).unwrap();
    assert_eq!(read_npy_2d(&dir.join("state_L_v_mv.npy")).unwrap().0, vec![state.times_ms().len(), 3]);
    assert_eq!(read_npy_2d(&dir.join("rates.npy")).unwrap().0, vec![20, 2]);

    // more steps without a flush stay buffered; finishing writes them
    let flushed = spikes.count("L");
    net.run_steps(1000).unwrap();
    assert_eq!(read_npy_2d(&dir.join("spikes_L.npy")).unwrap().0[0], flushed);
    net.finish_monitors().unwrap();
    let total = net.monitor::<SpikeMonitor>(sm).unwrap().count("L");
    assert!(total > flushed);
    assert_eq!(read_npy_2d(&dir.join("spikes_L.npy")).unwrap().0, vec![total, 2]);
    assert_eq!(read_npy_2d(&dir.join("rates.npy")).unwrap().0, vec![40, 2]);
}
