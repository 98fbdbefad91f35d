using System;
using System.Collections.Generic;
using Xunit.Sdk;

namespace NNLinearity.Tests.Reference;

/// <summary>Relative comparison with an absolute floor, for values whose true value may be exactly 0.</summary>
public static class Tolerance
{
    public static bool Close(double expected, double actual, double relative, double absolute)
    {
        if (double.IsNaN(expected)) return double.IsNaN(actual);
        if (double.IsInfinity(expected)) return expected == actual;
        return Math.Abs(expected - actual) <= relative * Math.Abs(expected) + absolute;
    }

    public static void Equal(double expected, double actual, double relative, double absolute, string what)
    {
        if (!Close(expected, actual, relative, absolute))
        {
            throw new XunitException($"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):G3}, allowed {relative:G2} relative + {absolute:G2})");
        }
    }

    public static void Equal(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, double absolute, string what)
    {
        if (expected.Count != actual.Count) throw new XunitException($"{what}: expected {expected.Count} values, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++) Equal(expected[i], actual[i], relative, absolute, $"{what}[{i}]");
    }
}
