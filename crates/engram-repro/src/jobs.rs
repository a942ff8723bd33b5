//! A reproduction's batches of independent simulations, run on this process's cores or spread
//! over several processes (MPI ranks, or ranks as threads in tests) with the results of one
//! process, in job order, on every rank.
//!
//! ```
//! use engram_repro::jobs::Spread;
//! // one process (the default): every job here, in parallel over cores, results in job order
//! let spread = Spread::here();
//! let squares = spread.run_jobs("squares", &[1.5f64, 2.0, 3.0], false, |&x| Ok(x * x)).unwrap();
//! assert_eq!(squares, [2.25, 4.0, 9.0]);
//! ```
//!
//! Over ranks ([`Spread::over`]), every rank calls [`Spread::run_jobs`] with the same jobs (every
//! rank runs the reproduction's code); job `i` runs on rank `i % n_ranks` (round-robin: the jobs
//! carry no cost estimate, and a batch usually lists networks × variants, so neighbours cost
//! alike), each rank runs its share on its own cores (rayon), and one all-gather
//! ([`JobRanks::all_gather`]) gives every rank every result, in job order. Results cross ranks
//! as CBOR ([`ciborium`]), which writes every `f64` by its bits (NaN, ±∞, −0 and subnormals
//! included), so the ranks continue with the numbers of a single process. A failed job fails the
//! batch on every rank (the failing rank's error, named by rank on the others), so that no rank
//! waits for the others forever.

use std::sync::Arc;

use engram_core::error::EngramError;
use engram_sim::network::Partition;
use engram_sim::progress::{Every, Progress};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The processes a [`Spread`] spreads jobs over: this one's rank, and an all-gather of bytes.
/// Every rank must make the same calls in the same order (as MPI collectives).
pub trait JobRanks: Send + Sync {
    /// This process's rank and the number of ranks.
    fn partition(&self) -> Partition;

    /// Every rank's `bytes`, in rank order, on every rank.
    fn all_gather(&self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError>;
}

/// Where a reproduction runs its batches of jobs: all on this process ([`Spread::here`], the
/// default) or spread over ranks ([`Spread::over`]); see the module docs.
#[derive(Clone, Default)]
pub struct Spread {
    ranks: Option<Arc<dyn JobRanks>>,
}

impl std::fmt::Debug for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.partition();
        write!(f, "Spread {{ rank: {}, n_ranks: {} }}", p.rank(), p.n_ranks())
    }
}

/// First byte of a rank's message: its results follow, as CBOR.
const RESULTS: u8 = 0;
/// First byte of a rank's message: its error follows, as UTF-8.
const FAILED: u8 = 1;

impl Spread {
    /// Every job on this process.
    pub fn here() -> Self {
        Self { ranks: None }
    }

    /// Jobs spread over `ranks` (one rank: every job here, as [`Spread::here`]).
    pub fn over(ranks: Arc<dyn JobRanks>) -> Self {
        Self { ranks: Some(ranks) }
    }

    /// This process's rank and the number of ranks (rank 0 of 1 [`here`](Spread::here)).
    pub fn partition(&self) -> Partition {
        self.ranks.as_ref().map_or(Partition::new(0, 1).expect("rank 0 of 1"), |r| r.partition())
    }

    /// Whether this process is rank 0 (the one that writes the outputs).
    pub fn is_root(&self) -> bool {
        self.partition().rank() == 0
    }

    /// The jobs each of `n_ranks` ranks runs: job `i` on rank `i % n_ranks`, in job order.
    ///
    /// ```
    /// assert_eq!(engram_repro::jobs::Spread::plan(5, 2), [vec![0, 2, 4], vec![1, 3]]);
    /// ```
    pub fn plan(n_jobs: usize, n_ranks: usize) -> Vec<Vec<usize>> {
        let n_ranks = n_ranks.max(1);
        (0..n_ranks).map(|r| (r..n_jobs).step_by(n_ranks).collect()).collect()
    }

    /// Every rank's `bytes` on every rank (rank 0 of 1: `bytes` alone). Every rank must call
    /// it, in the same order as its other collective calls.
    pub fn all_gather(&self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError> {
        match &self.ranks {
            Some(r) if r.partition().n_ranks() > 1 => r.all_gather(bytes),
            _ => Ok(vec![bytes.to_vec()]),
        }
    }

    /// Run `jobs` (with a progress bar labelled `label` on rank 0 if `progress`): here, in
    /// parallel over cores; over ranks, this rank's share (see the module docs). Returns every
    /// result in job order, on every rank, or the first error. Every rank must call it with
    /// the same jobs.
    pub fn run_jobs<J, T, F>(&self, label: &str, jobs: &[J], progress: bool, f: F) -> Result<Vec<T>, EngramError>
    where
        J: Sync,
        T: Send + Serialize + DeserializeOwned,
        F: Fn(&J) -> Result<T, EngramError> + Sync,
    {
        let partition = self.partition();
        let (rank, n_ranks) = (partition.rank(), partition.n_ranks());
        if n_ranks == 1 {
            return run_here(label, jobs, progress, f);
        }
        let plan = Self::plan(jobs.len(), n_ranks);
        let mine: Vec<&J> = plan[rank].iter().map(|&i| &jobs[i]).collect();
        let bar = format!("{label} (rank 0 of {n_ranks})");
        let ran = run_here(&bar, &mine, progress && rank == 0, |j| f(j));
        // an error is sent too (never returned before the all-gather, where the others wait)
        let ran = ran.and_then(|results| {
            let mut bytes = vec![RESULTS];
            ciborium::into_writer(&results, &mut bytes)
                .map_err(|e| EngramError::Other(format!("{label}: cannot encode the results: {e}")))?;
            Ok((results, bytes))
        });
        let failure;
        let message: &[u8] = match &ran {
            Ok((_, bytes)) => bytes,
            Err(e) => {
                failure = [&[FAILED][..], e.to_string().as_bytes()].concat();
                &failure
            }
        };
        let gathered = self.all_gather(message)?;
        if gathered.len() != n_ranks {
            return Err(EngramError::Other(format!("{label}: {} ranks answered, not {n_ranks}", gathered.len())));
        }
        let mut own = Some(ran?.0);
        let mut by_rank: Vec<std::vec::IntoIter<T>> = Vec::with_capacity(n_ranks);
        for (r, bytes) in gathered.iter().enumerate() {
            let results = if r == rank {
                own.take().expect("this rank's results are taken once")
            } else {
                decode(label, r, bytes)?
            };
            if results.len() != plan[r].len() {
                return Err(EngramError::Other(format!(
                    "{label}: rank {r} sent {} results for its {} jobs",
                    results.len(),
                    plan[r].len()
                )));
            }
            by_rank.push(results.into_iter());
        }
        // job i is the next result of rank i % n_ranks
        Ok((0..jobs.len()).map(|i| by_rank[i % n_ranks].next().expect("counted above")).collect())
    }
}

/// The results that rank `r` sent (its error, if it failed).
fn decode<T: DeserializeOwned>(label: &str, r: usize, bytes: &[u8]) -> Result<Vec<T>, EngramError> {
    match bytes.split_first() {
        Some((&RESULTS, body)) => ciborium::from_reader(body)
            .map_err(|e| EngramError::Other(format!("{label}: cannot read the results that rank {r} sent: {e}"))),
        Some((&FAILED, body)) => Err(EngramError::Other(format!("rank {r}: {}", String::from_utf8_lossy(body)))),
        _ => Err(EngramError::Other(format!("{label}: rank {r} sent a message that is neither results nor an error"))),
    }
}

/// Run `jobs` in parallel over this process's cores (rayon), with a progress bar labelled
/// `label` if `progress`; results in job order, or the first error. For jobs that every rank
/// runs whole (cheap ones, or results that do not cross ranks); [`Spread::run_jobs`] spreads
/// them.
pub fn run_here<J, T, F>(label: &str, jobs: &[J], progress: bool, f: F) -> Result<Vec<T>, EngramError>
where
    J: Sync,
    T: Send,
    F: Fn(&J) -> Result<T, EngramError> + Sync,
{
    let bar = Progress::new(label, jobs.len() as u64, "simulations", Every::Item, progress);
    let out = jobs
        .par_iter()
        .map(|j| {
            let r = f(j);
            bar.inc(1);
            r
        })
        .collect::<Result<Vec<T>, EngramError>>();
    match out {
        Ok(_) => bar.finish(),
        Err(_) => bar.abandon(),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_keeps_every_f64_bit_for_bit() {
        let values = vec![
            0.1 + 0.2,
            -0.0,
            f64::MIN_POSITIVE / 3.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0 / 3.0,
            f64::MAX,
            1e-310,
            0.5,
        ];
        let mut bytes = Vec::new();
        ciborium::into_writer(&(values.clone(), 7u64, "x".to_string()), &mut bytes).unwrap();
        let (back, n, s): (Vec<f64>, u64, String) = ciborium::from_reader(&bytes[..]).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&values));
        assert_eq!((n, s.as_str()), (7, "x"));
    }

    #[test]
    fn the_plan_gives_every_job_to_one_rank() {
        for n_ranks in 1..5 {
            let plan = Spread::plan(7, n_ranks);
            let mut all: Vec<usize> = plan.concat();
            all.sort_unstable();
            assert_eq!(all, (0..7).collect::<Vec<_>>(), "{n_ranks} ranks");
            assert!(plan.iter().all(|p| p.len() >= 7 / n_ranks), "{plan:?}");
        }
        assert_eq!(Spread::plan(2, 3), [vec![0], vec![1], vec![]]);
    }

    #[test]
    fn here_is_rank_0_of_1_and_keeps_job_order_and_the_error() {
        let spread = Spread::here();
        assert!(spread.is_root() && spread.partition().n_ranks() == 1);
        let jobs: Vec<u64> = (0..50).collect();
        assert_eq!(
            spread.run_jobs("t", &jobs, false, |&j| Ok(j * 3)).unwrap(),
            (0..50).map(|j| j * 3).collect::<Vec<_>>()
        );
        let e = spread
            .run_jobs("t", &jobs, false, |&j| if j == 7 { Err(EngramError::Other("job 7".into())) } else { Ok(j) })
            .unwrap_err();
        assert_eq!(e.to_string(), "job 7");
    }
}
