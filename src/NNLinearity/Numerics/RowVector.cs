using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace NNLinearity.Numerics;

/// <summary>
/// Per-row results that a fit keeps (fitted values, linear predictors, working weights, responses). Small vectors are
/// plain arrays. Large ones live outside the managed heap, in memory the garbage collector is told about
/// (<see cref="GC.AddMemoryPressure(long)"/>): the runtime collects the large-object heap rarely, so the arrays of fits
/// a program had dropped stayed until memory ran short, and a loop of default fits grew the process by their size at
/// every fit. With the pressure reported, a dropped fit's memory is reclaimed by the collections that the next fits
/// cause, and its blocks are reused (<see cref="NativeRowMemory"/>) instead of faulting in fresh pages.
/// </summary>
internal static class KeptRows
{
    /// <summary>Vectors of at least this many values (512 KB) are kept outside the managed heap.</summary>
    internal const int NativeThreshold = 1 << 16;

    /// <summary>A read-only copy of <paramref name="values"/>.</summary>
    public static IReadOnlyList<double> Copy(ReadOnlySpan<double> values) =>
        values.Length >= NativeThreshold ? new RowVector(values) : values.ToArray();

    /// <summary>
    /// The native bytes a fit of <paramref name="rows"/> rows will keep in <paramref name="vectors"/> vectors, announced
    /// to the collector when the fit starts (so that the collection it causes, and the finalizers that give the dropped
    /// fits' blocks back, run while the fit computes); 0 when the vectors will be arrays. Give it back with
    /// <see cref="Withdraw"/> before the vectors are made.
    /// </summary>
    public static long Announce(int rows, int vectors)
    {
        if (rows < NativeThreshold) return 0;
        long bytes = (long)rows * sizeof(double) * vectors;
        GC.AddMemoryPressure(bytes);
        return bytes;
    }

    /// <summary>Withdraws what <see cref="Announce"/> reported.</summary>
    public static void Withdraw(long bytes)
    {
        if (bytes > 0) GC.RemoveMemoryPressure(bytes);
    }
}

/// <summary>
/// A read-only vector of doubles in native memory, given back by its finalizer. Immutable once made, so safe to share
/// across threads.
/// </summary>
internal sealed unsafe class RowVector : IReadOnlyList<double>
{
    private readonly double* _values;
    private readonly long _bytes;

    /// <summary>Copies <paramref name="values"/> into native memory.</summary>
    public RowVector(ReadOnlySpan<double> values)
    {
        Count = values.Length;
        _bytes = Math.Max(1L, (long)values.Length * sizeof(double));
        GC.AddMemoryPressure(_bytes);
        _values = NativeRowMemory.Rent(_bytes);
        values.CopyTo(new Span<double>(_values, values.Length));
    }

    /// <summary>Gives the memory back once nothing refers to the vector.</summary>
    ~RowVector()
    {
        NativeRowMemory.Return(_values, _bytes);
        GC.RemoveMemoryPressure(_bytes);
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public double this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be in [0, {Count}).");
            double v = _values[index];
            GC.KeepAlive(this); // the memory lives as long as this object: not given back while it is read
            return v;
        }
    }

    /// <inheritdoc />
    public IEnumerator<double> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Native blocks for <see cref="RowVector"/>: a block given back is kept for reuse by the next vector of a size it fits
/// (the fits of a loop then write to memory already mapped: on a VM a fresh page costs as much as the arithmetic of a
/// fit), up to a sixteenth of the memory available to the process in all, and freed when it has not been reused for
/// 30 seconds (checked at each full collection). Thread-safe: one lock around the list.
/// </summary>
internal static unsafe class NativeRowMemory
{
    private const int MaxBlocks = 8;
    private const long IdleMilliseconds = 30_000;
    private static readonly object Gate = new();
    private static readonly List<(nint Pointer, long Bytes, long ReturnedAt)> Blocks = [];
    private static readonly long Limit = Math.Max(64L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 16);
    private static long _cachedBytes;

    static NativeRowMemory() => _ = new FullCollectionSentinel();

    /// <summary>Bytes held for reuse now.</summary>
    internal static long CachedBytes
    {
        get
        {
            lock (Gate) return _cachedBytes;
        }
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes, 64-byte aligned: a kept one of at most twice the size, or a new one.</summary>
    public static double* Rent(long bytes)
    {
        lock (Gate)
        {
            int best = -1;
            for (int i = 0; i < Blocks.Count; i++)
            {
                long b = Blocks[i].Bytes;
                if (b >= bytes && b <= 2 * bytes && (best < 0 || b < Blocks[best].Bytes)) best = i;
            }

            if (best >= 0)
            {
                (nint p, long b, _) = Blocks[best];
                Blocks.RemoveAt(best);
                _cachedBytes -= b;
                return (double*)p;
            }
        }

        // Large blocks start on a 2 MB boundary and are advised to take huge pages before their first write.
        double* block = (double*)NativeMemory.AlignedAlloc((nuint)bytes, bytes >= HugePages.MinimumBytes ? 2u << 20 : 64u);
        HugePages.Advise(block, bytes);
        return block;
    }

    /// <summary>Keeps <paramref name="pointer"/> for reuse, or frees it when the cache is full.</summary>
    public static void Return(double* pointer, long bytes)
    {
        lock (Gate)
        {
            if (Blocks.Count < MaxBlocks && _cachedBytes + bytes <= Limit)
            {
                Blocks.Add(((nint)pointer, bytes, Environment.TickCount64));
                _cachedBytes += bytes;
                return;
            }
        }

        NativeMemory.AlignedFree(pointer);
    }

    /// <summary>Frees the blocks not reused for <see cref="IdleMilliseconds"/>, or all of them when <paramref name="all"/>.</summary>
    internal static void Trim(bool all = false)
    {
        long now = Environment.TickCount64;
        lock (Gate)
        {
            for (int i = Blocks.Count - 1; i >= 0; i--)
            {
                if (!all && now - Blocks[i].ReturnedAt < IdleMilliseconds) continue;
                NativeMemory.AlignedFree((void*)Blocks[i].Pointer);
                _cachedBytes -= Blocks[i].Bytes;
                Blocks.RemoveAt(i);
            }
        }
    }

    /// <summary>An unreachable object that trims the cache each time it is finalized and registers itself again: once promoted, at each full collection.</summary>
    private sealed class FullCollectionSentinel
    {
        ~FullCollectionSentinel()
        {
            if (Environment.HasShutdownStarted) return;
            Trim();
            GC.ReRegisterForFinalize(this);
        }
    }
}

/// <summary>A read-only vector whose entries are all one value (the unit prior weights of a fit without weights). Immutable, so safe to share across threads.</summary>
internal sealed class ConstantVector(double value, int count) : IReadOnlyList<double>
{
    /// <inheritdoc />
    public int Count { get; } = count;

    /// <inheritdoc />
    public double this[int index] =>
        (uint)index < (uint)Count ? value : throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be in [0, {Count}).");

    /// <inheritdoc />
    public IEnumerator<double> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return value;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
