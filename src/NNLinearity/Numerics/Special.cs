using System;

namespace NNLinearity.Numerics;

/// <summary>Scalar special functions used by links and families (double precision).</summary>
internal static class Special
{
    /// <summary>1/sqrt(2 pi).</summary>
    public const double InvSqrt2Pi = 0.398942280401432677939946059934;

    /// <summary>Machine epsilon of double (R's <c>.Machine$double.eps</c>).</summary>
    public const double Epsilon = 2.220446049250313e-16;

    /// <summary>Standard normal CDF, accurate in both tails (through erfc, no 1 - x cancellation).</summary>
    public static double NormalCdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        return 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x * 0.70710678118654752440);
    }

    /// <summary>
    /// The scaled complementary error function erfcx(z) = exp(z^2) erfc(z) for z &gt;= 0: through erfc below z = 25,
    /// where exp(z^2) is finite and erfc has not underflowed, and by its asymptotic series above (terms fall by
    /// (2k - 1) / (2 z^2) &lt; 0.04 each, so nine terms reach double precision).
    /// </summary>
    public static double ErfcxNonNegative(double z)
    {
        if (z < 25) return Math.Exp(z * z) * MathNet.Numerics.SpecialFunctions.Erfc(z);
        double r = 1.0 / (2 * z * z), term = 1, sum = 1;
        for (int k = 1; k <= 9; k++)
        {
            term *= -(2 * k - 1) * r;
            sum += term;
        }

        return sum / (z * 1.77245385090551602730); // z sqrt(pi)
    }

    /// <summary>log Phi(x), finite for every finite x: log(erfcx(-x / sqrt 2) / 2) - x^2 / 2 for x &lt; 0, log1p(-Phi(-x)) above.</summary>
    public static double LogNormalCdf(double x)
    {
        if (x >= 0) return Log1P(-NormalCdf(-x));
        double z = -x * 0.70710678118654752440;
        return Math.Log(0.5 * ErfcxNonNegative(z)) - 0.5 * x * x;
    }

    /// <summary>
    /// phi(x) / Phi(x) (the inverse Mills ratio of the lower tail), finite for every finite x: sqrt(2 / pi) / erfcx(-x / sqrt 2)
    /// for x &lt; 0, so that it grows like -x instead of becoming 0 / 0.
    /// </summary>
    public static double NormalHazardLower(double x)
    {
        if (x >= 0) return NormalPdf(x) / NormalCdf(x);
        return 0.79788456080286535588 / ErfcxNonNegative(-x * 0.70710678118654752440);
    }

    /// <summary>Standard normal density.</summary>
    public static double NormalPdf(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>Standard normal quantile; -Infinity at 0 and +Infinity at 1.</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0) return p == 0 ? double.NegativeInfinity : double.NaN;
        if (p >= 1) return p == 1 ? double.PositiveInfinity : double.NaN;
        // Work in the smaller tail so that 1 - p never loses the small probability.
        return p < 0.5
            ? -1.41421356237309504880 * MathNet.Numerics.SpecialFunctions.ErfcInv(2 * p)
            : 1.41421356237309504880 * MathNet.Numerics.SpecialFunctions.ErfcInv(2 * (1 - p));
    }

    /// <summary>
    /// log(1 + x) accurate for small |x| (Goldberg's correction: log(u) x / (u - 1) with u = 1 + x cancels the rounding
    /// of u exactly). .NET's double.LogP1 is log(x + 1) and loses all accuracy near 0.
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return Math.Log(u);
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>
    /// exp(x) - 1 accurate for small |x| (Kahan's correction: (u - 1) x / log(u) with u = exp(x)).
    /// .NET's double.ExpM1 is exp(x) - 1 and loses all accuracy near 0.
    /// </summary>
    public static double ExpM1(double x)
    {
        if (x > 40) return Math.Exp(x); // exp(x) - 1 == exp(x) in double beyond x = 37
        if (x < -40) return -1.0;
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    private static readonly double[] LogFactorials = BuildLogFactorials(1024);

    /// <summary>log(x!) = log(Gamma(x + 1)); a table lookup for whole numbers below 1024 (counts), lgamma otherwise.</summary>
    public static double LogFactorial(double x)
    {
        if (x >= 0 && x < LogFactorials.Length)
        {
            int k = (int)x;
            if (k == x) return LogFactorials[k];
        }

        return LogGamma(x + 1);
    }

    private static double[] BuildLogFactorials(int count)
    {
        double[] t = new double[count];
        for (int k = 2; k < count; k++) t[k] = LogGamma(k + 1);
        return t;
    }

    /// <summary>log(Gamma(x)) for x &gt; 0.</summary>
    public static double LogGamma(double x) => MathNet.Numerics.SpecialFunctions.GammaLn(x);
}
