using System;
using System.Runtime.CompilerServices;

namespace NNLinearity.Glm;

/// <summary>
/// A 64-bit fingerprint of a fit's rows (responses and prior weights, bit for bit), so that comparisons of fits can
/// refuse fits made on different data. Four independent lanes keep it at memory speed.
/// </summary>
internal static class DataFingerprint
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    public static ulong Of(ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        const ulong Prime = 0x100000001B3UL;
        ulong h0 = 0xCBF29CE484222325UL, h1 = h0 ^ 1, h2 = h0 ^ 2, h3 = h0 ^ 3;
        int i = 0;
        for (; i + 1 < y.Length; i += 2)
        {
            h0 = (h0 ^ (ulong)BitConverter.DoubleToInt64Bits(y[i])) * Prime;
            h1 = (h1 ^ (ulong)BitConverter.DoubleToInt64Bits(w[i])) * Prime;
            h2 = (h2 ^ (ulong)BitConverter.DoubleToInt64Bits(y[i + 1])) * Prime;
            h3 = (h3 ^ (ulong)BitConverter.DoubleToInt64Bits(w[i + 1])) * Prime;
        }

        for (; i < y.Length; i++)
        {
            h0 = (h0 ^ (ulong)BitConverter.DoubleToInt64Bits(y[i])) * Prime;
            h1 = (h1 ^ (ulong)BitConverter.DoubleToInt64Bits(w[i])) * Prime;
        }

        return ((h0 * 31 + h1) * 31 + h2) * 31 + h3 + (ulong)y.Length;
    }
}
