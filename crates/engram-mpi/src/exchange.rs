//! The spike exchange over MPI (`MPI_COMM_WORLD`): one `MPI_Allgather` of the per-rank
//! lengths, then one `MPI_Allgatherv` of the spikes, per exchange interval (the network's
//! shortest delay in steps); checkpoints go to rank 0 alone (`MPI_Gather`, `MPI_Gatherv`);
//! the sums over ranks of a construction across ranks are `MPI_Allreduce` and `MPI_Exscan`.

use engram_core::error::EngramError;
use engram_sim::network::{AllGather, Partition, SpikeExchange};
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

/// [`SpikeExchange`] over the world communicator. It holds no MPI handle (the world
/// communicator is looked up in each call), so it can live inside a network; MPI must be
/// initialised ([`mpi::initialize`]) for as long as it is used.
#[derive(Debug, Default)]
pub struct MpiExchange {
    /// Per-rank lengths and offsets of the last exchange (reused: no allocation per step).
    lens: Vec<i32>,
    displs: Vec<i32>,
}

impl MpiExchange {
    /// This process's rank and the number of ranks of `MPI_COMM_WORLD`.
    pub fn partition() -> Result<Partition, EngramError> {
        let world = SimpleCommunicator::world();
        Partition::new(world.rank() as usize, world.size() as usize)
    }
}

fn too_many(what: &str, n: usize) -> EngramError {
    EngramError::Other(format!("{what} = {n}: MPI counts are 32-bit (at most {})", i32::MAX))
}

/// Where each rank's part of lengths `lens` starts (into `displs`, reused); the total.
fn offsets(lens: &[i32], displs: &mut Vec<i32>, what: &str) -> Result<usize, EngramError> {
    displs.clear();
    let mut total = 0usize;
    for &l in lens {
        displs.push(i32::try_from(total).map_err(|_| too_many(what, total))?);
        total += l as usize;
    }
    Ok(total)
}

impl AllGather for MpiExchange {
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError> {
        let world = SimpleCommunicator::world();
        let n = i32::try_from(send.len()).map_err(|_| too_many("spikes sent by one rank", send.len()))?;
        let Self { lens, displs } = self;
        lens.resize(world.size() as usize, 0);
        world.all_gather_into(&n, &mut lens[..]);
        let total = offsets(lens, displs, "spikes of one step")?;
        recv.clear();
        recv.resize(total, 0);
        {
            let mut parts = PartitionMut::new(&mut recv[..], &lens[..], &displs[..]);
            world.all_gather_varcount_into(send, &mut parts);
        }
        counts.clear();
        counts.extend(lens.iter().map(|&l| l as usize));
        Ok(())
    }

    fn all_reduce_sum(&mut self, values: &[u64], sums: &mut Vec<u64>) -> Result<(), EngramError> {
        let world = SimpleCommunicator::world();
        i32::try_from(values.len()).map_err(|_| too_many("values summed", values.len()))?;
        sums.clear();
        sums.resize(values.len(), 0);
        world.all_reduce_into(values, &mut sums[..], SystemOperation::sum());
        Ok(())
    }

    fn exclusive_scan_sum(&mut self, _me: usize, values: &[u64], before: &mut Vec<u64>) -> Result<(), EngramError> {
        let world = SimpleCommunicator::world();
        i32::try_from(values.len()).map_err(|_| too_many("values summed", values.len()))?;
        before.clear();
        before.resize(values.len(), 0);
        world.exclusive_scan_into(values, &mut before[..], SystemOperation::sum());
        if world.rank() == 0 {
            // MPI leaves rank 0's result undefined
            before.iter_mut().for_each(|b| *b = 0);
        }
        Ok(())
    }
}

impl SpikeExchange for MpiExchange {
    fn gather_to_rank_0(
        &mut self,
        send: &[u32],
        recv: &mut Vec<u32>,
        counts: &mut Vec<usize>,
    ) -> Result<(), EngramError> {
        let world = SimpleCommunicator::world();
        let root = world.process_at_rank(0);
        let n = i32::try_from(send.len()).map_err(|_| too_many("words sent by one rank", send.len()))?;
        recv.clear();
        counts.clear();
        if world.rank() != 0 {
            root.gather_into(&n);
            root.gather_varcount_into(send);
            return Ok(());
        }
        let Self { lens, displs } = self;
        lens.resize(world.size() as usize, 0);
        root.gather_into_root(&n, &mut lens[..]);
        let total = offsets(lens, displs, "words gathered")?;
        recv.resize(total, 0);
        {
            let mut parts = PartitionMut::new(&mut recv[..], &lens[..], &displs[..]);
            root.gather_varcount_into_root(send, &mut parts);
        }
        counts.extend(lens.iter().map(|&l| l as usize));
        Ok(())
    }

    fn sum_u64(&self, value: u64) -> Result<u64, EngramError> {
        let world = SimpleCommunicator::world();
        let mut total = 0u64;
        world.all_reduce_into(&value, &mut total, SystemOperation::sum());
        Ok(total)
    }
}
