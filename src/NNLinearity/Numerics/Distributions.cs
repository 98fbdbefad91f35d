using System;
using MathNet.Numerics;

namespace NNLinearity.Numerics;

/// <summary>Upper-tail probabilities computed without 1 - CDF cancellation.</summary>
internal static class Distributions
{
    /// <summary>P(|T| &gt;= |t|) for Student's t with <paramref name="df"/> degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2).</summary>
    public static double StudentTTwoSided(double t, double df)
    {
        if (double.IsNaN(t) || !(df > 0)) return double.NaN;
        if (double.IsInfinity(t)) return 0.0;
        return SpecialFunctions.BetaRegularized(df / 2, 0.5, df / (df + t * t));
    }

    /// <summary>P(X &gt;= x) for a chi-square with <paramref name="df"/> degrees of freedom.</summary>
    public static double ChiSquareUpper(double x, double df)
    {
        if (double.IsNaN(x) || !(df > 0)) return double.NaN;
        if (x <= 0) return 1.0;
        return SpecialFunctions.GammaUpperRegularized(df / 2, x / 2);
    }

    /// <summary>P(F &gt;= f) for an F distribution with (d1, d2) degrees of freedom: I_{d2/(d2+d1 f)}(d2/2, d1/2).</summary>
    public static double FUpper(double f, double d1, double d2)
    {
        if (double.IsNaN(f) || !(d1 > 0) || !(d2 > 0)) return double.NaN;
        if (f <= 0) return 1.0;
        return SpecialFunctions.BetaRegularized(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
    }
}
