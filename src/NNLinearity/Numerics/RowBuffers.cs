using System;
using System.Buffers;
using System.Collections.Generic;

namespace NNLinearity.Numerics;

/// <summary>
/// Per-row buffers of one fit taken from the shared array pool and given back together: a fit that keeps no per-row
/// results then reuses the memory of the fit before it instead of faulting in fresh pages. Buffers are longer than
/// asked and hold stale values: callers write each entry before reading it and read only the first n.
/// </summary>
internal sealed class RowBuffers : IDisposable
{
    private readonly List<double[]> _rented = [];

    /// <summary>A buffer of at least <paramref name="length"/> doubles, contents unspecified.</summary>
    public double[] Rent(int length)
    {
        double[] a = ArrayPool<double>.Shared.Rent(length);
        HugePages.Advise(a); // large arrays: huge pages for the first write (a no-op hint for one used before)
        _rented.Add(a);
        return a;
    }

    /// <summary>A buffer whose first <paramref name="length"/> entries are 1.</summary>
    public double[] Ones(int length)
    {
        double[] a = Rent(length);
        a.AsSpan(0, length).Fill(1.0);
        return a;
    }

    /// <summary>Gives every buffer back; none may be used afterwards.</summary>
    public void Dispose()
    {
        foreach (double[] a in _rented) ArrayPool<double>.Shared.Return(a);
        _rented.Clear();
    }
}
