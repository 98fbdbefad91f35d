using System;
using System.Threading;

namespace NNLinearity.Numerics;

/// <summary>
/// A shared, never-written array of ones for fits without prior weights, so that an unweighted fit does not allocate
/// and fill an n-vector of ones (on large data that is 8 MB per million rows, and its first touch is a page fault per
/// 4 KiB). Held through a weak reference: the collector may reclaim it between fits.
/// </summary>
internal static class UnitWeights
{
    private static readonly WeakReference<double[]> Cache = new([]);
    private static readonly Lock Gate = new();

    /// <summary>An array of at least <paramref name="n"/> ones. Callers must only read it, and only its first n entries.</summary>
    public static double[] AtLeast(int n)
    {
        if (Cache.TryGetTarget(out double[]? ones) && ones.Length >= n) return ones;
        lock (Gate)
        {
            if (Cache.TryGetTarget(out ones) && ones.Length >= n) return ones;
            ones = new double[n];
            ones.AsSpan().Fill(1.0);
            Cache.SetTarget(ones);
            return ones;
        }
    }
}
