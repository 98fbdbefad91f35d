using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Linearity;

/// <summary>The two claims: one layer is exactly a GLM; depth is not (unless every hidden link is affine).</summary>
public class LinearityLawTests
{
    internal static double[,] To2D(double[] values, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i, j] = values[i * cols + j];
        return m;
    }

    // Law 1. Training a one-layer network to convergence lands on the IRLS fit.
    [Law]
    public bool OneLayer_EqualsIrls(GlmCase c)
    {
        double[,] x = To2D(c.X, c.Rows, c.Columns);
        // Two optima are compared, so both are converged far beyond 1e-6: R's default rule (relative deviance change
        // below 1e-8) bounds the coefficients only to about 1e-4 in the worst case.
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = 1e-15, MaxIterations = 200 });
        if (!glm.Converged || glm.Diagnostics.Count > 0) return true; // no maximum to compare with (separation etc.)

        var net = StackedGlm.Create<double>(c.Columns, [new LayerSpec(1, c.Link)], c.Family, seed: c.Seed);
        // Start from the null model (intercept g(mean y), slopes 0), as IRLS does, so that links that are not
        // one-to-one on all of R (sqrt) converge to the same branch.
        double mean = c.Y.Average();
        net.Layers[0].SetWeights(new double[c.Columns]);
        net.Layers[0].SetBias([c.Link.Link(mean)]);
        TrainingResult r = net.Fit(c.X, c.Y, c.Rows, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 5000, GradientTolerance = 1e-13 });

        // A link that is not one-to-one on all of R (sqrt: mu = eta^2) lets the network leave the GLM's domain.
        if (net.Predict(c.X, c.Rows).Eta.ToArray().Any(e => !c.Link.IsValidLinearPredictor(e))) return true;
        GlmConversion conv = GlmBridge.ToGlm(net, x, c.Y);
        double scale = glm.Coefficients.Max(Math.Abs);
        for (int j = 0; j < glm.Coefficients.Count; j++)
        {
            // Relative to the largest coefficient: the flattest direction of the likelihood sets the accuracy of all.
            if (!(Math.Abs(conv.NetworkCoefficients[j] - glm.Coefficients[j]) <= 1e-6 * scale))
            {
                throw new XunitException($"coefficient {j}: network {conv.NetworkCoefficients[j]:R}, IRLS {glm.Coefficients[j]:R} ({c}; {r.StopReason} after {r.Epochs})");
            }
        }

        double deviance = net.Deviance(c.X, c.Y, c.Rows);
        if (!(Math.Abs(deviance - glm.Deviance) <= 1e-6 * glm.Deviance)) throw new XunitException($"deviance: network {deviance:R}, IRLS {glm.Deviance:R} ({c})");
        if (!(conv.MaxRelativeDifference <= 1e-6)) throw new XunitException($"conversion gap {conv.MaxRelativeDifference} ({c})");
        for (int j = 0; j < glm.Coefficients.Count; j++) Reference.Tolerance.Equal(glm.StandardErrors[j], conv.Fit.StandardErrors[j], 1e-6, 1e-12, $"SE[{j}]");
        return true;
    }

    // Law 2. One layer's eta is linear in its parameters: exactly zero Hessian, additivity and homogeneity to rounding.
    [Law]
    public bool OneLayer_EtaIsLinearInParameters(OneLayerCase o)
    {
        NetworkCase c = o.Case;
        StackedGlm<double> model = c.Model<double>();
        LinearityReport report = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), options: new LinearityOptions { AdditivityTrials = 30, Seed = c.Seed });
        if (report.EtaHessianNorm != 0) throw new XunitException($"eta Hessian norm {report.EtaHessianNorm} ({c})");
        // eta(a t1 + b t2) and a eta(t1) + b eta(t2) are sums of at most 7 products: a few ulps of the largest term.
        if (!(report.AdditivityViolation < 1e-13 && report.HomogeneityViolation < 1e-13)) throw new XunitException($"{report} ({c})");
        return report.IsLinearInParameters;
    }

    // Law 3. With a canonical link, a one-layer log-likelihood is concave at every parameter point.
    [Law]
    public bool OneLayer_CanonicalLink_LogLikelihoodIsConcave(OneLayerCase o)
    {
        NetworkCase c = o.Case;
        bool canonical = c.Output.Family is null || c.Output.Link.GetType() == c.Output.Family.CanonicalLink.GetType();
        if (!canonical) return true;
        StackedGlm<double> model = c.Model<double>();
        LinearityReport report = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), To2D(c.Y, c.Rows, c.Output.Units),
            new LinearityOptions { AdditivityTrials = 1, ConcavityTrials = 10, Seed = c.Seed });
        if (report.NonConcavePointFound != false) throw new XunitException($"{report} ({c})");
        return true;
    }

    // Law 4. Depth does not reduce: with a non-affine hidden link, eta is not linear in the parameters, the
    // log-likelihood is not concave somewhere, and permuting hidden units leaves predictions unchanged.
    [Law]
    public bool Depth_BreaksLinearityInParameters(DeepCase d)
    {
        NetworkCase c = d.Case;
        StackedGlm<double> model = c.Model<double>();
        LinearityReport report = LinearityAnalysis.Analyze(model, To2D(c.X, c.Rows, c.Inputs), To2D(c.Y, c.Rows, c.Output.Units),
            new LinearityOptions { AdditivityTrials = 20, ConcavityTrials = 20, Seed = c.Seed });
        // Stated margin: additivity fails by more than 1e-3 of the terms' size (rounding is 1e-16).
        if (report.IsLinearInParameters || report.EtaHessianIsZero || !(report.AdditivityViolation > 1e-3)) throw new XunitException($"linear? {report} ({c})");
        if (report.NonConcavePointFound != true) throw new XunitException($"concave everywhere searched? {report} ({c})");
        if (!(report.PermutationChange <= 1e-12)) throw new XunitException($"permutation changed eta: {report} ({c})");
        if (report.Collapsible) throw new XunitException($"collapsible? {report} ({c})");
        return true;
    }

    // Law 5. Identity hidden links collapse exactly.
    [Law]
    public bool AffineStack_CollapsesExactly(AffineCase a)
    {
        NetworkCase c = a.Case;
        StackedGlm<double> model = c.Model<double>();
        StackedGlm<double> single = Collapse.ToSingleLayer(model);
        Prediction<double> p = model.Predict(c.X, c.Rows), q = single.Predict(c.X, c.Rows);
        for (int i = 0; i < p.Eta.Length; i++)
        {
            // Both sides sum at most 4 products of 16 terms: 1e-12 of (1 + |eta|) is a thousand times their rounding.
            if (!(Math.Abs(p.Eta[i] - q.Eta[i]) <= 1e-12 * (1 + Math.Abs(p.Eta[i])))) throw new XunitException($"eta[{i}]: stack {p.Eta[i]:R}, collapsed {q.Eta[i]:R} ({c})");
            if (!(Math.Abs(p.Mu[i] - q.Mu[i]) <= 1e-12 * (1 + Math.Abs(p.Mu[i])))) throw new XunitException($"mu[{i}]: stack {p.Mu[i]:R}, collapsed {q.Mu[i]:R} ({c})");
        }

        return Collapse.IsCollapsible(model, out _) && single.Layers.Count == 1;
    }

    // Law 6. A ReLU network is piecewise linear in x: its local GLM is exact inside the region and wrong across a kink.
    [Law]
    public bool Relu_LocalGlm_ExactInsideRegion_FailsAcrossKink(PiecewiseCase pc)
    {
        NetworkCase c = pc.Case;
        StackedGlm<double> model = c.Model<double>();
        double[] x0 = c.X.Take(c.Inputs).ToArray();
        LocalGlm local = LinearityAnalysis.LocalGlmAt(model, x0);
        double[] Eta(double[] x) => model.Predict(x, 1).Eta.ToArray();
        string Pattern(double[] x) => string.Concat(LinearityAnalysis.LocalGlmAt(model, x).ActivationPattern[0].Select(b => b ? '1' : '0'));
        void Same(double[] x, string what)
        {
            double[] e = Eta(x), l = local.Eta(x);
            for (int o = 0; o < e.Length; o++)
            {
                if (!(Math.Abs(e[o] - l[o]) <= 1e-12 * (1 + Math.Abs(e[o])))) throw new XunitException($"{what}: network {e[o]:R}, local GLM {l[o]:R} ({c})");
            }
        }

        Same(x0, "at x");
        string p0 = Pattern(x0);
        // Walk from x towards another point; every point with x's pattern is in its (convex) region.
        double[] x1 = c.X.Skip(c.Inputs).Take(c.Inputs).ToArray();
        if (x1.Length < c.Inputs) x1 = x0.Select(v => -v + 1).ToArray();
        for (int s = 1; s <= 100; s++)
        {
            double t = s / 100.0;
            double[] xt = x0.Zip(x1, (u, v) => u + t * (v - u)).ToArray();
            if (Pattern(xt) == p0)
            {
                Same(xt, $"inside the region at t = {t}");
                continue;
            }

            // Across the kink: beyond it the network has bent and the local GLM has not, unless every output ignores the
            // unit that switched (its outgoing weights are 0, which random weights are not).
            double[] l = local.Eta(xt);
            double[] eAt = Eta(xt);
            double gap = eAt.Zip(l, (u, v) => Math.Abs(u - v)).Max();
            double tEnd = Math.Min(1, t + 0.5);
            double[] xFar = x0.Zip(x1, (u, v) => u + tEnd * (v - u)).ToArray();
            gap = Math.Max(gap, Eta(xFar).Zip(local.Eta(xFar), (u, v) => Math.Abs(u - v)).Max());
            if (!(gap > 1e-9)) throw new XunitException($"the local GLM still fits across the kink at t = {t} ({c})");
            return true;
        }

        return true; // the segment stayed in one region: nothing to cross
    }

    // Law 7. XOR: no linear predictor on the raw inputs classifies more than 3 of the 4 points; a 2-layer stack gets all 4.
    [Law]
    public bool Xor_NoGlmExceedsThreeQuarters(NormalFloat w1, NormalFloat w2, NormalFloat b)
    {
        double[][] points = [[0, 0], [0, 1], [1, 0], [1, 1]];
        int[] labels = [0, 1, 1, 0];
        int correct = 0;
        for (int i = 0; i < 4; i++) correct += (w1.Get * points[i][0] + w2.Get * points[i][1] + b.Get > 0) == (labels[i] == 1) ? 1 : 0;
        return correct <= 3;
    }

    [Fact]
    public void Xor_TwoLayerStackReachesAllFour_AndTheReportSaysWhy()
    {
        double[,] x = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
        double[,] y = { { 0 }, { 1 }, { 1 }, { 0 } };
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, new double[] { 0, 1, 1, 0 }, GlmFamily.Binomial);
        Assert.All(glm.FittedValues, m => Assert.Equal(0.5, m, 12)); // the best GLM is the coin flip: 50%

        var net = StackedGlm.Create<double>(2, [new LayerSpec(2, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 3);
        net.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 300 });
        Prediction<double> p = net.Predict(x);
        for (int i = 0; i < 4; i++) Assert.Equal(y[i, 0] == 1, p.GetMu(i, 0) > 0.5);
        LinearityReport report = LinearityAnalysis.Analyze(net, x, y);
        Assert.False(report.IsLinearInParameters);
        Assert.Contains("W1 x W2", report.InteractingBlocks);
    }

    [Fact]
    public void GlmToNetworkAndBack_PreservesTheLinearPredictorAndInference()
    {
        // Dobson (1990) p. 93, R's ?glm example: counts ~ outcome + treatment, Poisson.
        double[] counts = [18, 17, 15, 20, 10, 20, 25, 13, 12];
        double[,] x = new double[9, 4];
        for (int i = 0; i < 9; i++)
        {
            int outcome = i % 3, treatment = i / 3;
            x[i, 0] = outcome == 1 ? 1 : 0;
            x[i, 1] = outcome == 2 ? 1 : 0;
            x[i, 2] = treatment == 1 ? 1 : 0;
            x[i, 3] = treatment == 2 ? 1 : 0;
        }

        GlmFit fit = NNLinearity.Glm.Glm.Fit(x, counts, GlmFamily.Poisson);
        StackedGlm<double> net = GlmBridge.ToStackedGlm(fit);
        Prediction<double> p = net.Predict(x);
        for (int i = 0; i < 9; i++) Assert.Equal(fit.LinearPredictors[i], p.GetEta(i, 0), 12);
        Assert.Equal(5.129141, net.Deviance(NNLinearity.Layers.Matrices.AsSpan(x), counts, 9), 6); // R: residual deviance 5.129141

        GlmConversion back = GlmBridge.ToGlm(net, x, counts);
        Assert.True(back.MaxRelativeDifference < 1e-8);
        // Both are IRLS fits stopped by R's rule (relative deviance change < 1e-8) from different starts.
        for (int j = 0; j < 5; j++) Assert.Equal(fit.StandardErrors[j], back.Fit.StandardErrors[j], 7);
        Assert.Throws<ArgumentException>(() => GlmBridge.ToGlm(StackedGlm.Create<double>(4, [new LayerSpec(2, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson), x, counts));
    }
}
