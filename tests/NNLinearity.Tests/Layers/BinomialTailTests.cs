using System;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using NNLinearity.Numerics;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Layers;

/// <summary>
/// The binomial output loss with non-canonical links must stay finite and differentiable where mu rounds to 0 or 1:
/// its value against the plain formula where that is accurate and against closed forms in the tails, its gradient
/// against central differences of the loss and its curvature against central differences of the gradient.
/// </summary>
public class BinomialTailTests
{
    public static TheoryData<string> Links => new() { "probit", "cauchit", "cloglog", "loglog" };

    private static readonly double[] Etas =
        [-700, -300, -60, -40, -37, -36, -30, -20, -8, -3, -1, -1e-3, 0, 1e-3, 1, 3, 8, 20, 30, 36, 37, 40, 60, 300, 700];

    private static readonly double[] Responses = [0, 0.3, 1];

    private static FamilyLoss Loss(string link) => new(GlmFamily.Binomial, ModelFile.LinkFromName(link, null));

    private static double Unit(FamilyLoss loss, double eta, double y, out double gradient, out double curvature)
    {
        Span<double> g = stackalloc double[1], h = stackalloc double[1];
        double v = loss.RowDerivatives([eta], [y], 1.0, g, h);
        gradient = g[0];
        curvature = h[0];
        return v;
    }

    [Theory]
    [MemberData(nameof(Links))]
    public void Loss_AgreesWithThePlainFormula_WhereMuIsResolved(string name)
    {
        FamilyLoss loss = Loss(name);
        ILinkFunction link = ModelFile.LinkFromName(name, null);
        // Within |eta| <= 1 neither mu nor 1 - mu is below 0.06 for these links: the plain formula loses at most a digit.
        foreach (double eta in new[] { -1.0, -0.5, -0.2, 0, 0.2, 0.5, 1 })
        {
            foreach (double y in Responses)
            {
                double mu = link.Inverse(eta);
                double plain = (y > 0 ? y * Math.Log(y / mu) : 0) + (y < 1 ? (1 - y) * Math.Log((1 - y) / (1 - mu)) : 0);
                double value = Unit(loss, eta, y, out _, out _);
                Assert.True(Math.Abs(value - plain) <= 1e-12 * Math.Max(1, Math.Abs(plain)), $"{name} eta {eta} y {y}: {value:R} vs {plain:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Links))]
    public void LossGradientAndCurvature_AreFiniteAndConsistent_IntoTheTails(string name)
    {
        FamilyLoss loss = Loss(name);
        foreach (double eta in Etas)
        {
            foreach (double y in Responses)
            {
                double value = Unit(loss, eta, y, out double g, out double c);
                // The loss is the log-likelihood of a mean that is representable on the log scale: finite, except
                // for cloglog / loglog beyond eta = +-709, where log q = -exp(eta) itself overflows.
                bool overflows = Math.Abs(eta) > 709;
                if (!overflows && !(double.IsFinite(value) && double.IsFinite(g) && double.IsFinite(c)))
                {
                    throw new XunitException($"{name} eta {eta} y {y}: loss {value}, gradient {g}, curvature {c}");
                }

                if (!double.IsFinite(value)) continue;
                double h = 1e-5; // eta + h is exact enough up to |eta| = 700 (ulp 1e-13)
                double fPlus = Unit(loss, eta + h, y, out double gPlus, out _), fMinus = Unit(loss, eta - h, y, out double gMinus, out _);
                double fdGradient = (fPlus - fMinus) / (2 * h), fdCurvature = (gPlus - gMinus) / (2 * h);
                // Central differences: truncation h^2 f''' / 6, rounding eps |f| / h.
                double tolG = 1e-6 * Math.Max(1, Math.Abs(g)) + 1e-10 * Math.Abs(value) / h;
                double tolC = 1e-5 * Math.Max(1, Math.Abs(c)) + 1e-10 * Math.Abs(g) / h;
                if (!(Math.Abs(g - fdGradient) <= tolG)) throw new XunitException($"{name} eta {eta} y {y}: gradient {g:R}, central difference {fdGradient:R}");
                if (!(Math.Abs(c - fdCurvature) <= tolC)) throw new XunitException($"{name} eta {eta} y {y}: curvature {c:R}, central difference {fdCurvature:R}");
            }
        }
    }

    [Theory]
    [InlineData(8.0)]
    [InlineData(40.0)]
    [InlineData(300.0)]
    public void Cloglog_FailureAtLargeEta_CostsExactlyExpEta(double eta)
    {
        // y = 0 with mu = 1 - exp(-exp(eta)): half deviance -log q = exp(eta), gradient exp(eta).
        double value = Unit(Loss("cloglog"), eta, 0, out double g, out _);
        Assert.Equal(Math.Exp(eta), value, 1e-14 * Math.Exp(eta));
        Assert.Equal(Math.Exp(eta), g, 1e-14 * Math.Exp(eta));
        value = Unit(Loss("loglog"), -eta, 1, out g, out _);
        Assert.Equal(Math.Exp(eta), value, 1e-14 * Math.Exp(eta));
        Assert.Equal(-Math.Exp(eta), g, 1e-14 * Math.Exp(eta));
    }

    [Fact]
    public void Erfcx_SeriesBranch_AgreesWithExpTimesErfc_WhereBothHold()
    {
        // Above z = 25 the asymptotic series is used; up to z = 26.5 erfc has not underflowed and exp(z^2) is finite.
        for (double z = 25; z <= 26.5; z += 0.125)
        {
            double direct = Math.Exp(z * z) * MathNet.Numerics.SpecialFunctions.Erfc(z);
            double series = Special.ErfcxNonNegative(z);
            // exp(z^2) carries the rounding of z^2 (about 700 eps relative) and erfc near underflow a few more.
            Assert.True(Math.Abs(series - direct) <= 1e-12 * direct, $"z {z}: series {series:R}, exp * erfc {direct:R}");
        }
    }

    [Fact]
    public void LogNormalCdf_IsContinuousAcrossItsBranches_AndGrowsLikeTheGaussianTail()
    {
        // log Phi(x) = log(phi(x) / -x) + log(1 - 1/x^2 + 3/x^4 - ...) for x -> -inf (Mills).
        foreach (double x in new[] { -40.0, -100, -1e3, -1e5 })
        {
            double mills = -0.5 * x * x - Math.Log(-x) - 0.5 * Math.Log(2 * Math.PI) + Special.Log1P(-1 / (x * x) + 3 / (x * x * x * x) - 15 / Math.Pow(x, 6));
            Assert.True(Math.Abs(Special.LogNormalCdf(x) - mills) <= 1e-13 * Math.Abs(mills), $"x {x}: {Special.LogNormalCdf(x):R} vs {mills:R}");
        }

        foreach (double x in new[] { -35.0, -20, -5, -1, 0, 1, 5, 10 })
        {
            // Above 0, log(1 - p) with p = Phi(-x) small: the series -p - p^2/2 - p^3/3 avoids log of a number near 1.
            double p = Special.NormalCdf(-x);
            double direct = x < 3 ? Math.Log(Special.NormalCdf(x)) : -p - p * p / 2 - p * p * p / 3;
            Assert.True(Math.Abs(Special.LogNormalCdf(x) - direct) <= 1e-13 * Math.Max(1e-300, Math.Abs(direct)), $"x {x}");
        }
    }
}
