//! [`Collect`] over MPI (`MPI_COMM_WORLD`): `MPI_Bcast` from rank 0, `MPI_Gatherv` to rank
//! 0 of texts as bytes (each preceded by its length), and `MPI_Allgatherv` of bytes.

use engram_core::error::EngramError;
use engram_sim::network::Partition;
use mpi::datatype::PartitionMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::sweep::Collect;

/// [`Collect`] over the world communicator; MPI must be initialised
/// ([`mpi::initialize`]) for as long as it is used. It holds no MPI handle (the world
/// communicator is looked up in each call), so it can be sent to, and shared with, other
/// threads (MPI must then be initialised with at least `Threading::Serialized`, and the
/// calls made one at a time).
#[derive(Clone, Copy, Debug, Default)]
pub struct MpiCollect;

impl MpiCollect {
    /// The world communicator's collectives.
    pub fn world() -> Self {
        Self
    }
}

fn too_long(n: usize) -> EngramError {
    EngramError::Other(format!(
        "a message of {n} bytes: MPI counts and offsets are 32-bit (at most {} bytes)",
        i32::MAX
    ))
}

/// Offsets of parts of `lens` bytes laid end to end, and their total.
fn displacements(lens: &[i32]) -> Result<(Vec<i32>, usize), EngramError> {
    let mut displs = Vec::with_capacity(lens.len());
    let mut total = 0usize;
    for &l in lens {
        displs.push(i32::try_from(total).map_err(|_| too_long(total))?);
        total += l as usize;
    }
    Ok((displs, total))
}

/// `bytes` cut into consecutive parts of `lens` bytes.
fn split(bytes: &[u8], lens: &[i32]) -> Vec<Vec<u8>> {
    let mut start = 0;
    lens.iter()
        .map(|&l| {
            let part = bytes[start..start + l as usize].to_vec();
            start += l as usize;
            part
        })
        .collect()
}

impl Collect for MpiCollect {
    fn partition(&self) -> Partition {
        let world = SimpleCommunicator::world();
        Partition::new(world.rank() as usize, world.size() as usize)
            .expect("MPI gives a rank below the number of ranks")
    }

    fn broadcast(&mut self, text: &str) -> Result<String, EngramError> {
        let world = SimpleCommunicator::world();
        let root = world.process_at_rank(0);
        let mut len = text.len() as u64;
        root.broadcast_into(&mut len);
        let len = usize::try_from(len).map_err(|_| too_long(usize::MAX))?;
        let mut bytes = if world.rank() == 0 { text.as_bytes().to_vec() } else { vec![0u8; len] };
        root.broadcast_into(&mut bytes[..]);
        String::from_utf8(bytes).map_err(|e| EngramError::Other(format!("rank 0 sent a text that is not UTF-8: {e}")))
    }

    fn gather(&mut self, text: &str) -> Result<Option<Vec<String>>, EngramError> {
        let world = SimpleCommunicator::world();
        let root = world.process_at_rank(0);
        let n = i32::try_from(text.len()).map_err(|_| too_long(text.len()))?;
        if world.rank() != 0 {
            root.gather_into(&n);
            root.gather_varcount_into(text.as_bytes());
            return Ok(None);
        }
        let mut lens = vec![0i32; world.size() as usize];
        root.gather_into_root(&n, &mut lens[..]);
        let (displs, total) = displacements(&lens)?;
        let mut bytes = vec![0u8; total];
        {
            let mut parts = PartitionMut::new(&mut bytes[..], &lens[..], &displs[..]);
            root.gather_varcount_into_root(text.as_bytes(), &mut parts);
        }
        let texts = split(&bytes, &lens)
            .into_iter()
            .enumerate()
            .map(|(r, part)| {
                String::from_utf8(part)
                    .map_err(|e| EngramError::Other(format!("rank {r} sent a text that is not UTF-8: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(texts))
    }

    fn all_gather(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, EngramError> {
        let world = SimpleCommunicator::world();
        let n = i32::try_from(bytes.len()).map_err(|_| too_long(bytes.len()))?;
        let mut lens = vec![0i32; world.size() as usize];
        world.all_gather_into(&n, &mut lens[..]);
        let (displs, total) = displacements(&lens)?;
        let mut all = vec![0u8; total];
        {
            let mut parts = PartitionMut::new(&mut all[..], &lens[..], &displs[..]);
            world.all_gather_varcount_into(bytes, &mut parts);
        }
        Ok(split(&all, &lens))
    }
}
