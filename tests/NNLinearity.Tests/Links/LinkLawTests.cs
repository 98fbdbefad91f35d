using System;
using System.Linq;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Links;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Kernels;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Links;

public class LinkLawTests
{
    private const double Eps = 2.220446049250313e-16;

    /// <summary>
    /// g(g^-1(eta)) = eta up to the conditioning of the round trip: mu carries a relative error of a few eps, which g
    /// turns into |mu / (dmu/deta)| eps in eta (large where the inverse saturates: representing mu = 1 - 1e-13 in double
    /// already loses eta to 1e-3). 16 eps covers the few roundings of each side. Where mu rounds onto the bound of the
    /// link's domain (logit beyond eta = 37, log-log beyond 3.6), g returns the infinite limit of the right sign.
    /// </summary>
    [Law]
    public bool Link_RoundTrips(LinkPoint p)
    {
        double mu = p.Link.Inverse(p.Eta);
        double back = p.Link.Link(mu);
        if (mu == p.Link.MeanUpperBound) return double.IsPositiveInfinity(back) == (p.Eta > 0) && double.IsInfinity(back);
        if (mu == p.Link.MeanLowerBound) return double.IsInfinity(back);
        double slope = Math.Abs(p.Link.InverseDerivative(p.Eta));
        double allowed = 16 * Eps * (Math.Abs(p.Eta) + Math.Max(Math.Abs(mu), Eps) / slope);
        return Math.Abs(back - p.Eta) <= allowed;
    }

    /// <summary>
    /// dmu/deta equals a central difference. The step is 1e-5 of the local length scale (the smaller of min(|eta|, 1)
    /// and |f / f'|, the distance over which f changes by a factor e), so that the truncation error h^2 |f'''| / 6 and
    /// the rounding error eps |f| / h both stay below 1e-6 relative to |f'| + |f| / scale.
    /// </summary>
    [Law]
    public bool InverseDerivative_MatchesFiniteDifference(LinkPoint p) =>
        MatchesCentralDifference(p, p.Link.Inverse, p.Link.InverseDerivative);

    /// <summary>d2mu/deta2 equals a central difference of dmu/deta (same step rule and bound).</summary>
    [Law]
    public bool InverseSecondDerivative_MatchesFiniteDifference(LinkPoint p) =>
        MatchesCentralDifference(p, p.Link.InverseDerivative, p.Link.InverseSecondDerivative);

    private static bool MatchesCentralDifference(LinkPoint p, Func<double, double> f, Func<double, double> df)
    {
        double fx = f(p.Eta), exact = df(p.Eta);
        double scale = Math.Max(1e-3, Math.Min(Math.Abs(p.Eta), 1.0));
        if (exact != 0 && fx != 0) scale = Math.Min(scale, Math.Abs(fx / exact));
        double h = 1e-5 * scale;
        double lo = p.Eta - h, hi = p.Eta + h;
        if (lo < p.Domain.EtaMin || hi > p.Domain.EtaMax) return true; // no room for the stencil at the edge of the domain
        double fd = (f(hi) - f(lo)) / (2 * h);
        double magnitude = Math.Abs(exact) + Math.Abs(fx) / scale;
        return Math.Abs(fd - exact) <= 1e-6 * magnitude + 1e-300;
    }

    /// <summary>
    /// The span members equal the scalar members element by element for every length: within 4 ulps in double (the
    /// vectorised exponential is within 1 ulp of Math.Exp, and two more roundings follow), and within 3 ulps in float
    /// (5 for derivatives): most links compute in double and round once, tanh and logistic run float-native kernels.
    /// The fused span members (means and derivatives in one call, also with the means written over eta) give the
    /// separate members' bits.
    /// </summary>
    [Law]
    public bool SpanMembers_MatchScalar(LinkPoint p, NonNegativeInt length)
    {
        int n = length.Get % 40;
        double[] eta = Enumerable.Range(0, n).Select(i => Math.Clamp(p.Eta * (1 + 0.01 * i), p.Domain.EtaMin, p.Domain.EtaMax)).ToArray();
        double[] mu = new double[n], d = new double[n], back = new double[n];
        p.Link.Inverse(eta, mu);
        p.Link.InverseDerivative(eta, d);
        p.Link.Link(mu, back);
        float[] etaF = eta.Select(v => (float)v).ToArray();
        float[] muF = new float[n], dF = new float[n];
        p.Link.Inverse(etaF, muF);
        p.Link.InverseDerivative(etaF, dF);
        float[] muFusedF = new float[n], dFusedF = new float[n], aliased = (float[])etaF.Clone(), dAliased = new float[n];
        p.Link.Inverse(etaF, muFusedF, dFusedF);
        p.Link.Inverse(aliased, aliased, dAliased); // the means may overwrite eta
        double[] muFused = new double[n], dFused = new double[n];
        p.Link.Inverse(eta, muFused, dFused);
        // The probit's span (the vector normal CDF) and its scalar member are each within a few ulps of R's pnorm, not
        // of each other: they may differ by the sum of their bounds.
        long muUlps = p.Link is ProbitLink ? ElementwiseKernelTests.VectorNormalCdfUlps + ElementwiseKernelTests.ScalarNormalCdfUlps : 4;
        for (int i = 0; i < n; i++)
        {
            if (Ulp.Distance(mu[i], p.Link.Inverse(eta[i])) > muUlps || Ulp.Distance(d[i], p.Link.InverseDerivative(eta[i])) > 4) return false;
            if (!Same(back[i], p.Link.Link(mu[i])) || !Same(muFused[i], mu[i]) || !Same(dFused[i], d[i])) return false;
            if (!SameF(muFusedF[i], muF[i]) || !SameF(dFusedF[i], dF[i]) || !SameF(aliased[i], muF[i]) || !SameF(dAliased[i], dF[i])) return false;
            // Float-native kernels (tanh, logistic) are within 3 ulps of the value, their derivatives within 5.
            if (FloatUlps(muF[i], (float)p.Link.Inverse(etaF[i])) > 3 || FloatUlps(dF[i], (float)p.Link.InverseDerivative(etaF[i])) > 5) return false;
        }

        return true;
    }

    /// <summary>
    /// ReLU's and leaky ReLU's vectorised span members give the scalar members' bits on the values where a select could differ from
    /// the comparison (-0, NaN, infinities, subnormals), at every offset within a vector and with a tail, in both
    /// precisions; a short destination is refused.
    /// </summary>
    [Fact]
    public void Relu_SpanMembers_GiveTheScalarBits_OnEdgeValues()
    {
        foreach (ILinkFunction link in new ILinkFunction[] { new ReluLink(), new LeakyReluLink(), new LeakyReluLink(0.3) }) CheckPiecewiseLinearSpans(link);
    }

    private static void CheckPiecewiseLinearSpans(ILinkFunction link)
    {
        double[] edge = [-0.0, 0.0, double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, 1.5, -2.5, 1e-310, -1e-310, 3e38, -3e38, 1e-40, -1e-40];
        for (int n = 0; n <= 70; n++)
        {
            double[] eta = Enumerable.Range(0, n).Select(i => edge[(i * 5 + n) % edge.Length]).ToArray();
            double[] mu = new double[n], d = new double[n], muBoth = new double[n], dBoth = new double[n];
            link.Inverse(eta, mu);
            link.InverseDerivative(eta, d);
            link.Inverse(eta, muBoth, dBoth);
            float[] etaF = eta.Select(v => (float)v).ToArray();
            float[] muF = new float[n], dF = new float[n], aliased = (float[])etaF.Clone(), dBothF = new float[n];
            link.Inverse(etaF, muF);
            link.InverseDerivative(etaF, dF);
            link.Inverse(aliased, aliased, dBothF);
            for (int i = 0; i < n; i++)
            {
                long m = BitConverter.DoubleToInt64Bits(link.Inverse(eta[i])), s = BitConverter.DoubleToInt64Bits(link.InverseDerivative(eta[i]));
                Assert.Equal(m, BitConverter.DoubleToInt64Bits(mu[i]));
                Assert.Equal(m, BitConverter.DoubleToInt64Bits(muBoth[i]));
                Assert.Equal(s, BitConverter.DoubleToInt64Bits(d[i]));
                Assert.Equal(s, BitConverter.DoubleToInt64Bits(dBoth[i]));
                int mf = BitConverter.SingleToInt32Bits((float)link.Inverse(etaF[i])), sf = BitConverter.SingleToInt32Bits((float)link.InverseDerivative(etaF[i]));
                Assert.Equal(mf, BitConverter.SingleToInt32Bits(muF[i]));
                Assert.Equal(mf, BitConverter.SingleToInt32Bits(aliased[i]));
                Assert.Equal(sf, BitConverter.SingleToInt32Bits(dF[i]));
                Assert.Equal(sf, BitConverter.SingleToInt32Bits(dBothF[i]));
            }
        }

        Assert.Throws<ArgumentException>(() => link.Inverse(new float[20], new float[19]));
        Assert.Throws<ArgumentException>(() => link.InverseDerivative(new double[20], new double[19]));
        Assert.Throws<ArgumentException>(() => link.Inverse(new float[20], new float[20], new float[19]));
    }

    /// <summary>The fused scalar member gives exactly what the two separate members give.</summary>
    [Law]
    public bool FusedInverse_EqualsSeparateMembers(LinkPoint p)
    {
        double mu = p.Link.Inverse(p.Eta, out double d);
        return Same(mu, p.Link.Inverse(p.Eta)) && Same(d, p.Link.InverseDerivative(p.Eta));
    }

    private static bool SameF(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    private static long FloatUlps(float a, float b)
    {
        if (a.Equals(b)) return 0;
        if (float.IsNaN(a) || float.IsNaN(b)) return long.MaxValue;
        return Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));
    }

    /// <summary>In-place application (source and destination the same memory) gives the out-of-place result.</summary>
    [Fact]
    public void SpanMembers_InPlace_EqualOutOfPlace()
    {
        foreach (LinkDomain d in Arbitraries.LinkDomains)
        {
            double[] eta = Enumerable.Range(0, 17).Select(i => d.EtaMin + (d.EtaMax - d.EtaMin) * (i + 0.5) / 17).ToArray();
            double[] expected = new double[eta.Length];
            d.Link.Inverse(eta, expected);
            double[] inPlace = (double[])eta.Clone();
            d.Link.Inverse(inPlace, inPlace);
            Assert.Equal(expected, inPlace);
        }
    }

    [Fact]
    public void SpanMembers_RejectShortDestination()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LogitLink().Inverse(new double[4], new double[3]));
        Assert.Contains("shorter", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The inverse links and their derivatives agree with R's distribution functions (plogis, pnorm, pcauchy, and the
    /// closed forms through expm1) across the whole range, tails included: 1e-13 relative.
    /// </summary>
    [Fact]
    public void Inverse_MatchesR_InTheTails()
    {
        JsonElement v = RFixtures.LinkValues();
        double[] eta = v.Doubles("eta");
        (string name, ILinkFunction link)[] links =
            [("logit", new LogitLink()), ("probit", new ProbitLink()), ("cauchit", new CauchitLink()), ("cloglog", new CloglogLink()), ("loglog", new LogLogLink())];
        foreach ((string name, ILinkFunction link) in links)
        {
            double[] mu = v.Doubles(name + "_mu"), dmu = v.Doubles(name + "_dmu");
            for (int i = 0; i < eta.Length; i++)
            {
                // Below the normal range (2.2e-308) precision is absolute: a few units of the smallest subnormal.
                Tolerance.Equal(mu[i], link.Inverse(eta[i]), 1e-13, 2e-323, $"{name} inverse at {eta[i]}");
                Tolerance.Equal(dmu[i], link.InverseDerivative(eta[i]), 1e-13, 2e-323, $"{name} dmu/deta at {eta[i]}");
            }
        }

        double[] logMu = v.Doubles("log_mu");
        for (int i = 0; i < eta.Length; i++) Tolerance.Equal(logMu[i], new LogLink().Inverse(eta[i]), 1e-15, 0, $"exp at {eta[i]}");
    }

    /// <summary>The links agree with R's quantile functions (qlogis, qnorm, qcauchy) and closed forms, 1e-13 relative.</summary>
    [Fact]
    public void Link_MatchesR()
    {
        JsonElement v = RFixtures.LinkValues();
        double[] p = v.Doubles("p");
        (string key, ILinkFunction link)[] links =
            [("qlogis", new LogitLink()), ("qnorm", new ProbitLink()), ("qcauchy", new CauchitLink()), ("cloglog_link", new CloglogLink()), ("loglog_link", new LogLogLink())];
        foreach ((string key, ILinkFunction link) in links)
        {
            double[] expected = v.Doubles(key);
            for (int i = 0; i < p.Length; i++) Tolerance.Equal(expected[i], link.Link(p[i]), 1e-13, 1e-15, $"{key} at {p[i]}");
        }
    }

    /// <summary>No link returns NaN anywhere in its domain, including the far tails and infinities of saturating links.</summary>
    [Fact]
    public void Links_NeverReturnNaN_InsideTheirDomain()
    {
        double[] extremes = [double.NegativeInfinity, -1e300, -745, -700, -40, 0, 40, 700, 745, 1e300, double.PositiveInfinity];
        ILinkFunction[] saturating = [new LogitLink(), new ProbitLink(), new CloglogLink(), new LogLogLink(), new CauchitLink()];
        foreach (ILinkFunction link in saturating)
        {
            foreach (double eta in extremes)
            {
                Assert.False(double.IsNaN(link.Inverse(eta)), $"{link.Name} inverse at {eta}");
                Assert.False(double.IsNaN(link.InverseDerivative(eta)), $"{link.Name} dmu/deta at {eta}");
                Assert.False(double.IsNaN(link.InverseSecondDerivative(eta)), $"{link.Name} d2mu/deta2 at {eta}");
                double mu = link.Inverse(eta);
                Assert.InRange(mu, 0.0, 1.0);
            }
        }

        Assert.Equal(4.248354255291589e-18, new LogitLink().Inverse(-40), 1e-30);
        Assert.True(double.IsFinite(new LogLink().Inverse(700)));
    }

    private static bool Same(double a, double b) => a.Equals(b);

    private static bool Same(float a, float b) => a.Equals(b);
}
