using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NNLinearity.Kernels;

/// <summary>One chunked piece of work: chunk <c>c</c> of <c>chunks</c>, run by whichever thread is given it.</summary>
internal interface IChunkWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> of <paramref name="chunks"/>.</summary>
    void Run(int chunk, int chunks);
}

/// <summary>
/// A fixed team of worker threads (one per core beyond the caller's) for products that are split into one chunk per
/// core. The caller and the workers claim chunks from one counter, so a worker that is slow to wake costs nothing but
/// its share: the caller runs every chunk nobody has claimed. After a job a worker spins for <see cref="SpinTicks"/>
/// before it sleeps, so back-to-back products (the layers of a training step) find it awake; a sleeping thread takes
/// tens to hundreds of microseconds to wake on a virtual machine, as long as a whole product of a few MFLOP. One caller
/// at a time: a second concurrent caller gets false from <see cref="TryRun"/> and splits its work another way.
/// </summary>
internal sealed class KernelTeam
{
    /// <summary>How long a worker keeps polling for the next job before it blocks (about 200 microseconds).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    /// <summary>The process's team: ProcessorCount - 1 workers, started on first use.</summary>
    public static KernelTeam Shared => LazyShared.Value;

    private static readonly Lazy<KernelTeam> LazyShared = new(() => new KernelTeam(Environment.ProcessorCount - 1));

    private readonly Worker[] _workers;
    private int _taken, _generation, _chunks, _completed;
    private long _claim; // generation << 32 | next unclaimed chunk
    private IChunkWork? _work;
    private Exception? _error;

    private KernelTeam(int workers)
    {
        _workers = new Worker[Math.Max(0, workers)];
        for (int i = 0; i < _workers.Length; i++) _workers[i] = new Worker(this, i);
    }

    /// <summary>
    /// Runs chunks 0 .. <paramref name="chunks"/> - 1 of <paramref name="work"/> on the calling thread and whichever
    /// workers claim some, and returns when all are done (rethrowing the first exception). Returns false, having run
    /// nothing, when the team has no workers or another caller holds it.
    /// </summary>
    public bool TryRun(IChunkWork work, int chunks)
    {
        if (_workers.Length == 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0) return false;
        try
        {
            int generation = ++_generation;
            _work = work;
            _chunks = chunks;
            _completed = 0;
            _error = null;
            Interlocked.Exchange(ref _claim, (long)generation << 32); // publishes the fields above
            int helpers = Math.Min(_workers.Length, chunks - 1);
            for (int i = 0; i < helpers; i++) _workers[i].Notify();
            RunClaims(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref _completed) != chunks) spin.SpinOnce(sleep1Threshold: -1);
            _work = null;
            if (_error != null) ExceptionDispatchInfo.Capture(_error).Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref _taken, 0);
        }
    }

    /// <summary>Claims and runs chunks of the job of <paramref name="generation"/> until none is left.</summary>
    private void RunClaims(int generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            if ((int)(claim >> 32) != generation) return;
            int chunk = (int)claim;
            if (chunk >= Volatile.Read(ref _chunks)) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;

            // The claim holds the job: its caller waits for this chunk before it can post another.
            try
            {
                _work!.Run(chunk, _chunks);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }

            Interlocked.Increment(ref _completed);
        }
    }

    [SuppressMessage("Design", "CA1001", Justification = "A worker lives as long as the process; its semaphore never creates a wait handle.")]
    private sealed class Worker
    {
        private readonly KernelTeam _team;
        private readonly SemaphoreSlim _wake = new(0);
        private int _posted, _sleeping;

        public Worker(KernelTeam team, int index)
        {
            _team = team;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NNLinearity kernel worker {index + 1}" };
            thread.Start();
        }

        public void Notify()
        {
            Interlocked.Increment(ref _posted);
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _wake.Release();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _posted) == seen)
                {
                    if (Stopwatch.GetTimestamp() < until)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }

                    Interlocked.Exchange(ref _sleeping, 1); // full fence: the flag is visible before the re-check
                    if (Volatile.Read(ref _posted) != seen)
                    {
                        // A job arrived between the check and the flag: if the poster cleared the flag, it released once.
                        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 0) _wake.Wait();
                        break;
                    }

                    _wake.Wait();
                    until = Stopwatch.GetTimestamp() + SpinTicks;
                }

                seen = Volatile.Read(ref _posted);
                _team.RunClaims((int)(Volatile.Read(ref _team._claim) >> 32));
            }
        }
    }
}
