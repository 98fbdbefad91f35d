using System;
using System.Linq;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Links;

/// <summary>A link of the user's own needs only scalar members; GLMs and layers take it.</summary>
public sealed class UserLinkTests
{
    /// <summary>The logit written plainly, with the scalar members only (no span members, no fused inverse).</summary>
    private sealed class PlainLogit : ILinkFunction
    {
        public string Name => "plain-logit";
        public bool IsAffine => false;
        public double MeanLowerBound => 0;
        public double MeanUpperBound => 1;
        public double Link(double mu) => Math.Log(mu / (1 - mu));
        public double Inverse(double eta) => 1 / (1 + Math.Exp(-eta));
        public double InverseDerivative(double eta) => Inverse(eta) * (1 - Inverse(eta));
        public double InverseSecondDerivative(double eta) => InverseDerivative(eta) * (1 - 2 * Inverse(eta));
        public bool IsValidMean(double mu) => mu > 0 && mu < 1;
        public bool IsValidLinearPredictor(double eta) => double.IsFinite(eta);
    }

    [Fact]
    public void ScalarOnlyLink_FitsTheGlm_OfTheBuiltInLink()
    {
        var rng = new Random(3);
        var x = new double[200, 2];
        var y = new double[200];
        for (int i = 0; i < 200; i++)
        {
            x[i, 0] = rng.NextDouble() * 2 - 1;
            x[i, 1] = rng.NextDouble();
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(0.5 + x[i, 0] - x[i, 1]))) ? 1 : 0;
        }

        var mine = NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Binomial, new PlainLogit());
        var builtIn = NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Binomial, new LogitLink());
        Assert.Equal("plain-logit", mine.Link.Name);
        // 1e-10 relative: the plain formulas and the library's stable ones differ by rounding at these etas.
        for (int j = 0; j < 3; j++) Assert.True(Math.Abs(mine.Coefficients[j] - builtIn.Coefficients[j]) <= 1e-10 * Math.Abs(builtIn.Coefficients[j]));

        var layer = GlmLayer.Create<float>(2, 1, new PlainLogit());
        layer.SetWeights([1f, -1f]);
        float[] eta = new float[3], mu = new float[3];
        layer.Forward([0f, 0f, 1f, 0f, 0f, 1f], 3, eta, mu);
        Assert.Equal(new[] { 0.5f, (float)(1 / (1 + Math.Exp(-1))), (float)(1 / (1 + Math.Exp(1))) }, mu);
    }
}
