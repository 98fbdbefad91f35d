using System;

namespace NNLinearity.Numerics;

/// <summary>Scalar special functions used by links and families (double precision).</summary>
internal static class Special
{
    /// <summary>1/sqrt(2 pi).</summary>
    public const double InvSqrt2Pi = 0.398942280401432677939946059934;

    /// <summary>Machine epsilon of double (R's <c>.Machine$double.eps</c>).</summary>
    public const double Epsilon = 2.220446049250313e-16;

    /// <summary>
    /// Standard normal CDF by Cody's rational Chebyshev approximations (W. J. Cody, "Rational Chebyshev approximations
    /// for the error function", Math. Comp. 1969; ANORM of ACM Algorithm 715, 1993, the method R's pnorm uses):
    /// x / 2 times a rational in x^2 for |x| &lt;= 0.66291, otherwise exp(-x^2 / 2) times a rational in |x| (up to
    /// sqrt 32) or in 1 / x^2, with x^2 split exactly by an FMA so that the exponential does not amplify its
    /// rounding. The lower tail keeps full relative accuracy (within 6 ulps of R, tested) until it turns subnormal near
    /// x = -37.5 and is 0 below -38.5; the upper tail is 1 - Phi(-x).
    /// </summary>
    public static double NormalCdf(double x)
    {
        if (double.IsNaN(x)) return x;
        double y = Math.Abs(x);
        if (y <= NormalCentral) return 0.5 + NormalCentralTerm(x);
        double lower = NormalLowerTail(y);
        return x < 0 ? lower : 1.0 - lower;
    }

    /// <summary>The boundary of Cody's central approximation.</summary>
    internal const double NormalCentral = 0.66291;

    /// <summary>sqrt(32): the boundary between Cody's middle and tail approximations.</summary>
    internal const double NormalTail = 5.656854249492380195;

    // Cody (1993), ANORM: central a/b, middle c/d, tail p/q.
    internal static readonly double[] CodyA = [2.2352520354606839287e00, 1.6102823106855587881e02, 1.0676894854603709582e03, 1.8154981253343561249e04, 6.5682337918207449113e-2];
    internal static readonly double[] CodyB = [4.7202581904688241870e01, 9.7609855173777669322e02, 1.0260932208618978205e04, 4.5507789335026729956e04];
    internal static readonly double[] CodyC = [3.9894151208813466764e-1, 8.8831497943883759412e00, 9.3506656132177855979e01, 5.9727027639480026226e02, 2.4945375852903726711e03, 6.8481904505362823326e03, 1.1602651437647350124e04, 9.8427148383839780218e03, 1.0765576773720192317e-8];
    internal static readonly double[] CodyD = [2.2266688044328115691e01, 2.3538790178262499861e02, 1.5193775994075548050e03, 6.4855582982667607550e03, 1.8615571640885098091e04, 3.4900952721145977266e04, 3.8912003286093271411e04, 1.9685429676859990727e04];
    internal static readonly double[] CodyP = [2.1589853405795699e-1, 1.274011611602473639e-1, 2.2235277870649807e-2, 1.421619193227893466e-3, 2.9112874951168792e-5, 2.307344176494017303e-2];
    internal static readonly double[] CodyQ = [1.28426009614491121e00, 4.68238212480865118e-1, 6.59881378689285515e-2, 3.78239633202758244e-3, 7.29751555083966205e-5];

    /// <summary>Phi(x) - 1/2 for |x| &lt;= 0.66291.</summary>
    private static double NormalCentralTerm(double x)
    {
        double z = x * x, num = CodyA[4] * z, den = z;
        for (int i = 0; i < 3; i++)
        {
            num = (num + CodyA[i]) * z;
            den = (den + CodyB[i]) * z;
        }

        return x * (num + CodyA[3]) / (den + CodyB[3]);
    }

    /// <summary>Phi(-y) for y &gt; 0.66291.</summary>
    private static double NormalLowerTail(double y)
    {
        double r;
        if (y <= NormalTail)
        {
            double num = CodyC[8] * y, den = y;
            for (int i = 0; i < 7; i++)
            {
                num = (num + CodyC[i]) * y;
                den = (den + CodyD[i]) * y;
            }

            r = (num + CodyC[7]) / (den + CodyD[7]);
        }
        else
        {
            double z = 1.0 / (y * y), num = CodyP[5] * z, den = z;
            for (int i = 0; i < 4; i++)
            {
                num = (num + CodyP[i]) * z;
                den = (den + CodyQ[i]) * z;
            }

            r = (InvSqrt2Pi - z * (num + CodyP[4]) / (den + CodyQ[4])) / y;
        }

        return GaussianFactor(y) * r;
    }

    /// <summary>exp(-y^2 / 2) with y^2 = hi + lo split exactly (FMA): exp(-hi / 2) (1 - lo / 2), so the rounding of y^2 is not amplified.</summary>
    internal static double GaussianFactor(double y)
    {
        double hi = y * y;
        if (!(hi < 1500)) return 0.0; // exp(-750) underflows; also y = +-Inf, where the split would be Inf - Inf
        double lo = Math.FusedMultiplyAdd(y, y, -hi);
        return Math.Exp(-0.5 * hi) * (1.0 - 0.5 * lo);
    }

    /// <summary>Standard normal density, exp(-x^2 / 2) / sqrt(2 pi) with x^2 split exactly (within a few ulp of R's dnorm, tested).</summary>
    public static double NormalPdf(double x) => double.IsNaN(x) ? x : InvSqrt2Pi * GaussianFactor(x);

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
        return Math.Log(u) * (x / (u - 1.0)); // the ratio first: log(u) x overflows for x near double.MaxValue
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
