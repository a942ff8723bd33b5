#!/usr/bin/env python3
# engram's copy of the Brian2 COBA/CUBA peer script; `cargo xtask bench` runs it beside engram.
"""COBA benchmark (Brette et al. 2007, benchmark 1; network of Vogels & Abbott 2005)
run with Brian2, as a performance anchor for the Rust SNN framework.

Written from the published model description (our own script, it only calls the
installed `brian2` package).

Model (defaults, N=4000):
  * 4000 LIF neurons, 80 % excitatory (3200) / 20 % inhibitory (800)
  * C = 200 pF, g_L = 10 nS (tau_m = 20 ms), E_L = -60 mV
  * V_th = -50 mV, V_reset = -60 mV, refractory 5 ms
  * conductance-based exponential synapses: tau_e = 5 ms, tau_i = 10 ms,
    E_e = 0 mV, E_i = -80 mV, dg_e = 6 nS (0.6 g_L), dg_i = 67 nS (6.7 g_L)
  * random connectivity p = 0.02 (=> 80 inputs / neuron, 320 000 synapses)
  * forward Euler, dt = 0.1 ms, no synaptic delay beyond one step
Variants (--variant):
  * brette2007 (default): self-sustained activity, no external input, initial
    conditions of the original Brian benchmark script: v ~ -65 +- 5 mV,
    g_e ~ (4 +- 1.5) g_L, g_i ~ (20 +- 12) g_L.
  * driven: the variant used by several cross-simulator benchmarks (NEST
    iaf_cond_exp with I_e = 200 pA, BrainPy/Brian2 comparisons): constant
    I_ext = 200 pA (= 20 mV * g_L), v ~ -55 +- 5 mV, g = 0.
  * auryn: the parameters of Auryn's own COBA benchmark program (for a
    side-by-side with Auryn): I_ext = 200 pA, dg_e = 4 nS (0.4 g_L),
    dg_i = 51 nS (5.1 g_L), all v = -60 mV, g = 0 at start; use with
    --delay 0.8 (Auryn's default minimal axonal delay, 8 steps) and
    --float32 for the closest match (Auryn computes in single precision).
Scaling (--n, --scaling):
  * fixed_k (default): keep the in-degree K = 80 (p = 0.02*4000/N), weights
    unchanged -> identical per-neuron dynamics, cost ~ linear in N.
  * fixed_p: keep p = 0.02 (K = 0.02 N), scale weights by 4000/N -> synapse
    count grows ~ N^2.

CUBA (--model cuba): Brette et al. 2007 benchmark 2 (current-based exponential
synapses): dv/dt = (ge + gi - (v - E_L))/tau_m with E_L = -49 mV, tau_m = 20 ms,
tau_e = 5 ms, tau_i = 10 ms, V_th = -50 mV, V_reset = -60 mV, refractory 5 ms,
we = +1.62 mV, wi = -9 mV, v0 ~ U(V_reset, V_th), exact (linear) integration
unless --method is given. --variant is ignored for CUBA.

Modes (--mode): runtime (Cython code generation, default target) or
cpp_standalone (whole simulation compiled to one C++ binary; --threads > 1
uses OpenMP).

Timing that is printed:
  * build_s   : Python-side network construction (runtime mode: object
                creation incl. synapse generation; standalone: only Python
                bookkeeping, the real construction happens in the binary)
  * compile_s : runtime: code generation + Cython compilation (or cache load)
                via a run(0 ms); standalone: code generation + make
  * run_s     : wall time of the simulation loop only (runtime:
                net.run(duration); standalone: Network::_last_run_time as
                measured inside the binary)
  * binary_s  : standalone only: wall time of the whole binary (includes
                synapse creation, initialisation, writing results)
  * rtf       : run_s / simulated seconds (real-time factor; < 1 is faster
                than real time)
  * run_cpu_s (runtime) / binary_cpu_s (standalone): CPU time of the run /
                of the whole binary; on a shared machine the CPU time is the
                more robust single-thread figure (wall time includes waiting)
A final line starting with 'JSON ' gives everything machine-readable.

Examples:
  python brian2_coba.py --mode runtime --duration 1
  python brian2_coba.py --mode cpp_standalone --duration 10 --threads 1
  python brian2_coba.py --mode cpp_standalone --n 64000 --duration 1
"""
import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["coba", "cuba"], default="coba")
    p.add_argument("--mode", choices=["runtime", "cpp_standalone"], default="runtime")
    p.add_argument("--target", choices=["cython", "numpy"], default="cython",
                   help="code generation target in runtime mode")
    p.add_argument("--n", type=int, default=4000, help="total neurons (80/20 E/I)")
    p.add_argument("--duration", type=float, default=1.0, help="biological time in seconds")
    p.add_argument("--dt", type=float, default=0.1, help="time step in ms")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--variant", choices=["brette2007", "driven", "auryn"], default="brette2007")
    p.add_argument("--delay", type=float, default=0.0,
                   help="homogeneous synaptic delay in ms (0 = Brian2 default, effect next step)")
    p.add_argument("--scaling", choices=["fixed_k", "fixed_p"], default="fixed_k")
    p.add_argument("--threads", type=int, default=1, help="OpenMP threads (standalone only)")
    p.add_argument("--method", default=None,
                   help="Brian2 integration method (default: euler for COBA, exact for CUBA)")
    p.add_argument("--build-dir", default=None,
                   help="standalone project directory (default: a temp dir)")
    p.add_argument("--save-spikes", default=None,
                   help="optional .npz path to store spike indices/times")
    p.add_argument("--profile", action="store_true",
                   help="per-code-object time breakdown (brian2 profiling_summary)")
    p.add_argument("--float32", action="store_true",
                   help="use single precision state variables (default float64)")
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    t_import0 = time.perf_counter()
    import numpy as np
    import brian2 as b2
    from brian2 import ms, mV, nS, pF, pA, second
    t_import = time.perf_counter() - t_import0

    b2.prefs.logging.console_log_level = "WARNING"
    if a.float32:
        b2.prefs.core.default_float_dtype = np.float32
    build_dir = None
    if a.mode == "cpp_standalone":
        build_dir = a.build_dir or tempfile.mkdtemp(prefix=f"brian2_coba_{a.n}_")
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = ["-j2"]  # Brian2's default make -j is unlimited
        if a.threads > 1:
            b2.prefs.devices.cpp_standalone.openmp_threads = a.threads
    else:
        b2.prefs.codegen.target = a.target

    b2.seed(a.seed)
    np.random.seed(a.seed)
    b2.defaultclock.dt = a.dt * ms

    N = a.n
    NE = int(round(0.8 * N))
    NI = N - NE
    if a.scaling == "fixed_k":
        p_conn = 0.02 * 4000.0 / N
        wscale = 1.0
    else:
        p_conn = 0.02
        wscale = 4000.0 / N

    # --- parameters (Brette et al. 2007, benchmark 1) ---
    C = 200 * pF
    gL = 10 * nS
    EL = -60 * mV
    Ee = 0 * mV
    Ei = -80 * mV
    Vt = -50 * mV
    Vr = -60 * mV
    taue = 5 * ms
    taui = 10 * ms
    if a.variant == "auryn":
        we = 4 * nS * wscale      # 0.4 g_L
        wi = 51 * nS * wscale     # 5.1 g_L
    else:
        we = 6 * nS * wscale      # 0.6 g_L
        wi = 67 * nS * wscale     # 6.7 g_L
    Iext = (200 * pA) if a.variant in ("driven", "auryn") else (0 * pA)

    syn_kw = dict(delay=a.delay * ms) if a.delay > 0 else {}
    t0 = time.perf_counter()
    if a.model == "coba":
        method = a.method or "euler"
        eqs = """
        dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v) + Iext) / C : volt (unless refractory)
        dge/dt = -ge / taue : siemens
        dgi/dt = -gi / taui : siemens
        """
        P = b2.NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr",
                           refractory=5 * ms, method=method,
                           namespace=dict(gL=gL, EL=EL, Ee=Ee, Ei=Ei, Iext=Iext, C=C,
                                          taue=taue, taui=taui, Vt=Vt, Vr=Vr))
        if a.variant == "brette2007":
            P.v = "EL + (randn()*5 - 5)*mV"
            P.ge = "(randn()*1.5 + 4) * gL"
            P.gi = "(randn()*12 + 20) * gL"
        elif a.variant == "driven":
            P.v = "-55*mV + randn()*5*mV"
            P.ge = "0*nS"
            P.gi = "0*nS"
        else:  # auryn
            P.v = "EL"
            P.ge = "0*nS"
            P.gi = "0*nS"
    else:  # cuba, Brette et al. 2007 benchmark 2
        method = a.method or "exact"
        we = 1.62 * mV * wscale
        wi = -9.0 * mV * wscale
        eqs = """
        dv/dt = (ge + gi - (v - ELc)) / taum : volt (unless refractory)
        dge/dt = -ge / taue : volt
        dgi/dt = -gi / taui : volt
        """
        P = b2.NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr",
                           refractory=5 * ms, method=method,
                           namespace=dict(ELc=-49 * mV, taum=20 * ms, taue=taue,
                                          taui=taui, Vt=Vt, Vr=Vr))
        P.v = "Vr + rand()*(Vt - Vr)"
        P.ge = "0*mV"
        P.gi = "0*mV"
    Ce = b2.Synapses(P[:NE], P, on_pre="ge_post += we", namespace=dict(we=we), **syn_kw)
    Ci = b2.Synapses(P[NE:], P, on_pre="gi_post += wi", namespace=dict(wi=wi), **syn_kw)
    Ce.connect(p=p_conn)
    Ci.connect(p=p_conn)
    if a.save_spikes:
        M = b2.SpikeMonitor(P)
    else:
        M = b2.SpikeMonitor(P, record=False)  # counts only
    net = b2.Network(P, Ce, Ci, M)
    build_s = time.perf_counter() - t0

    res = dict(simulator="brian2", brian2_version=b2.__version__, model=a.model, mode=a.mode,
               target=(a.target if a.mode == "runtime" else "cpp_standalone"),
               variant=a.variant, scaling=a.scaling, delay_ms=a.delay, n=N, n_exc=NE, n_inh=NI,
               p=p_conn, duration_s=a.duration, dt_ms=a.dt, seed=a.seed,
               threads=(a.threads if a.mode == "cpp_standalone" else 1),
               float32=a.float32, method=method, import_s=t_import, build_s=build_s,
               host=platform.node(), cpu_count=os.cpu_count(), python=sys.version.split()[0])

    if a.mode == "runtime":
        t1 = time.perf_counter()
        net.run(0 * ms)  # triggers code generation + compilation (or cache load)
        res["compile_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        c2 = time.process_time()
        net.run(a.duration * second, profile=a.profile)
        res["run_s"] = time.perf_counter() - t2
        res["run_cpu_s"] = time.process_time() - c2  # robust to other load (1 thread)
        res["binary_s"] = None
    else:
        net.run(a.duration * second, profile=a.profile)  # only records the run for the standalone project
        t1 = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=False)
        res["compile_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        b2.device.run(directory=build_dir)
        res["binary_s"] = time.perf_counter() - t2
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU time (user+sys, all threads) of the whole binary incl. init
        res["binary_cpu_s"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        res["run_s"] = float(b2.device._last_run_time)
        res["build_dir"] = build_dir

    n_syn_e = len(Ce)
    n_syn_i = len(Ci)
    n_spikes = int(M.num_spikes)
    counts = np.asarray(M.count[:])
    n_spk_e = int(counts[:NE].sum())
    n_spk_i = int(counts[NE:].sum())
    # exact number of synaptic events delivered: sum over spikes of out-degree
    outdeg = np.zeros(N, dtype=np.int64)
    np.add.at(outdeg, np.asarray(Ce.i[:]), 1)
    np.add.at(outdeg, NE + np.asarray(Ci.i[:]), 1)
    syn_events = int((counts.astype(np.int64) * outdeg).sum())
    res.update(n_synapses=n_syn_e + n_syn_i, n_syn_exc=n_syn_e, n_syn_inh=n_syn_i,
               n_spikes=n_spikes, n_spikes_exc=n_spk_e, n_spikes_inh=n_spk_i,
               mean_rate_hz=n_spikes / N / a.duration,
               rate_exc_hz=n_spk_e / NE / a.duration,
               rate_inh_hz=(n_spk_i / NI / a.duration) if NI else 0.0,
               syn_events=syn_events)
    res["rtf"] = res["run_s"] / a.duration
    res["syn_events_per_s"] = syn_events / res["run_s"] if res["run_s"] > 0 else None
    res["neuron_updates_per_s"] = N * round(a.duration / (a.dt * 1e-3)) / res["run_s"]

    if a.profile:
        info = sorted(net.profiling_info, key=lambda x: -float(x[1]))
        res["profile"] = {name: float(t) for name, t in info}
        print(b2.profiling_summary(net))
    if a.save_spikes:
        np.savez_compressed(a.save_spikes, i=np.asarray(M.i[:]), t=np.asarray(M.t[:] / second))

    print(f"brian2 {res['brian2_version']} {a.model.upper()}[{a.variant if a.model == 'coba' else '-'},{a.scaling}] mode={res['target']} "
          f"threads={res['threads']} N={N} synapses={res['n_synapses']} T={a.duration}s dt={a.dt}ms")
    print(f"  build   {build_s:8.3f} s   compile {res['compile_s']:8.3f} s")
    if res["binary_s"] is not None:
        print(f"  binary  {res['binary_s']:8.3f} s   (whole standalone process)")
    print(f"  run     {res['run_s']:8.3f} s   rtf {res['rtf']:.4f}  "
          f"({res['syn_events_per_s']/1e6 if res['syn_events_per_s'] else float('nan'):.1f} M syn-events/s)")
    print(f"  spikes  {n_spikes}  mean rate {res['mean_rate_hz']:.2f} Hz "
          f"(E {res['rate_exc_hz']:.2f} / I {res['rate_inh_hz']:.2f})  syn events {syn_events}")
    print("JSON " + json.dumps(res))
    return res


if __name__ == "__main__":
    main()
