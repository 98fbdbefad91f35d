using System;

namespace NNLinearity.Tests.Reference;

/// <summary>Distance in units in the last place between two doubles (0 for equal values, including two NaNs).</summary>
public static class Ulp
{
    public static long Distance(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : long.MaxValue;
        if (a == b) return 0;
        long ia = BitConverter.DoubleToInt64Bits(a), ib = BitConverter.DoubleToInt64Bits(b);
        if (ia < 0) ia = long.MinValue - ia; // map negatives so that the integer order is the real order
        if (ib < 0) ib = long.MinValue - ib;
        return Math.Abs(ia - ib);
    }
}
