using System;
using System.Linq;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using NNLinearity.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NNLinearity.Tests.Linearity;

/// <summary>Delta-method standard errors of networks: a one-layer network's are the GLM's; a deeper one's agree with a parametric bootstrap.</summary>
public class NetworkUncertaintyTests(ITestOutputHelper output)
{
    private static (double[] X, double[,] X2, double[] Y) Data(int n, int k, int seed, Func<double, Random, double> draw)
    {
        var rng = new Random(seed);
        var x = new double[n * k];
        var x2 = new double[n, k];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = 0.3;
            for (int j = 0; j < k; j++)
            {
                x[i * k + j] = x2[i, j] = Normal.Sample(rng, 0, 1);
                eta += (0.5 - 0.3 * j) * x[i * k + j];
            }

            y[i] = draw(eta, rng);
        }

        return (x, x2, y);
    }

    public static TheoryData<string> Families() => new() { "binomial", "gaussian", "poisson", "gamma" };

    /// <summary>
    /// One layer with a family is the GLM, and its information is X^T W X / phi: the delta-method standard errors of
    /// predictions equal predict(se.fit = TRUE) of the GLM to 1e-8, on both scales (the GLM refitted once from its own
    /// coefficients, so that its working weights are those at the coefficients).
    /// </summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void OneLayer_GivesTheGlmStandardErrors(string name)
    {
        (GlmFamily family, Func<double, Random, double> draw) = name switch
        {
            "binomial" => (GlmFamily.Binomial, (Func<double, Random, double>)((e, r) => r.NextDouble() < 1 / (1 + Math.Exp(-e)) ? 1 : 0)),
            "gaussian" => (GlmFamily.Gaussian, (e, r) => e + Normal.Sample(r, 0, 0.7)),
            "poisson" => (GlmFamily.Poisson, (e, r) => Poisson.Sample(r, Math.Exp(e))),
            _ => (GlmFamily.Gamma, (e, r) => Gamma.Sample(r, 4, 4 / Math.Exp(e))),
        };
        const int n = 200, k = 3;
        (double[] x, double[,] x2, double[] y) = Data(n, k, 11, draw);
        ILinkFunction? link = name == "gamma" ? new LogLink() : null;
        GlmFit first = NNLinearity.Glm.Glm.Fit(x2, y, family, link, new GlmOptions { Epsilon = 1e-12 });
        GlmFit fit = NNLinearity.Glm.Glm.Fit(x2, y, family, link, new GlmOptions { Epsilon = 1e-12, Start = first.Coefficients });
        StackedGlm<double> network = GlmBridge.ToStackedGlm(fit);
        NetworkUncertainty u = NetworkUncertainty.Compute<double>(network, x, y, n);
        Assert.Equal(k + 1, u.Rank);
        Tolerance.Equal(fit.Dispersion, u.Dispersion, 1e-8, 0, "dispersion");
        (double[] xn, double[,] xn2, _) = Data(7, k, 99, (e, r) => 0);
        foreach (GlmPredictionScale scale in new[] { GlmPredictionScale.Link, GlmPredictionScale.Response })
        {
            GlmPrediction glm = fit.Predict(xn2, scale);
            GlmPrediction net = u.Predict(xn, 7, scale);
            for (int i = 0; i < 7; i++)
            {
                Tolerance.Equal(glm.Fit[i], net.Fit[i], 1e-8, 1e-12, $"{scale} fit[{i}]");
                Tolerance.Equal(glm.StandardErrors[i], net.StandardErrors[i], 1e-8, 0, $"{scale} se[{i}]");
            }
        }
    }

    /// <summary>
    /// A 2-4-1 tanh network with a Gaussian output, trained by L-BFGS on 400 rows: its delta-method standard errors at
    /// five inputs against a parametric bootstrap (60 responses simulated from the fitted network and its dispersion,
    /// each refitted by up to 200 L-BFGS steps from the fitted parameters and from two perturbed starts, the best of the three kept). Measured
    /// here: ratios delta / bootstrap of 1.06 to 1.56 over the five points (the bootstrap's own standard deviation has
    /// about 9% sampling error with 60 replicates; the rest is the curvature the delta method ignores). The test
    /// asserts a factor 2, since training takes other rounding paths at other vector widths.
    /// </summary>
    [Fact]
    public void DeeperNetwork_AgreesWithAParametricBootstrap()
    {
        const int n = 400, k = 2, b = 60;
        var rng = new Random(5);
        var x = new double[n * k];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = rng.NextDouble() * 4 - 2;
            x[2 * i + 1] = rng.NextDouble() * 4 - 2;
            y[i] = Math.Sin(x[2 * i]) + 0.5 * Math.Tanh(x[2 * i + 1]) + Normal.Sample(rng, 0, 0.3);
        }

        var options = new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 3000, GradientTolerance = 1e-12 };
        // The refits start at or near the fitted parameters, so a few hundred L-BFGS steps reach the optimum's
        // neighbourhood to well within the bootstrap's own sampling error.
        var refitOptions = new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 200, GradientTolerance = 1e-7 };
        StackedGlm<double> Fresh() => StackedGlm.Create<double>(k, [new LayerSpec(4, new TanhLink()), new LayerSpec(1, new IdentityLink())], GlmFamily.Gaussian, seed: 3);
        StackedGlm<double> model = Fresh();
        model.Fit(x, y, n, options);
        double[] theta = model.GetParameters();
        NetworkUncertainty u = NetworkUncertainty.Compute<double>(model, x, y, n);
        double[] points = [-1.5, -1.0, 0.0, 0.2, 1.0, 0.5, 1.5, -1.2, 0.7, 1.8];
        GlmPrediction delta = u.Predict(points, 5, GlmPredictionScale.Link);
        double sigma = Math.Sqrt(u.Dispersion);
        double[] mu = model.Predict(x, n).Mu.ToArray();
        var boot = new double[b, 5];
        for (int r = 0; r < b; r++)
        {
            double[] ys = mu.Select(m => m + Normal.Sample(rng, 0, sigma)).ToArray();
            double best = double.PositiveInfinity;
            for (int s = 0; s < 3; s++)
            {
                StackedGlm<double> m2 = Fresh();
                m2.SetParameters(theta.Select(t => s == 0 ? t : t + Normal.Sample(rng, 0, 0.05)).ToArray());
                TrainingResult tr = m2.Fit(x, ys, n, refitOptions);
                if (tr.TrainingLoss >= best) continue;
                best = tr.TrainingLoss;
                double[] pr = m2.Predict(points, 5).Eta.ToArray();
                for (int j = 0; j < 5; j++) boot[r, j] = pr[j];
            }
        }

        for (int j = 0; j < 5; j++)
        {
            double mean = Enumerable.Range(0, b).Average(r => boot[r, j]);
            double sd = Math.Sqrt(Enumerable.Range(0, b).Sum(r => (boot[r, j] - mean) * (boot[r, j] - mean)) / (b - 1));
            double ratio = delta.StandardErrors[j] / sd;
            output.WriteLine($"point {j}: delta {delta.StandardErrors[j]:F4}, bootstrap {sd:F4}, ratio {ratio:F3}");
            Assert.InRange(ratio, 0.5, 2.0);
        }
    }

    /// <summary>
    /// A trained GLM-nested network: the uncertainty of its network part is the network's information with the GLM's
    /// linear predictor as the offset (the same numbers as passing that offset by hand), finite and positive.
    /// </summary>
    [Fact]
    public void NestedNetwork_UsesTheGlmAsItsOffset()
    {
        const int n = 150;
        var rng = new Random(8);
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = rng.NextDouble() * 2 - 1;
            x[i, 1] = rng.NextDouble() * 2 - 1;
            y[i] = Poisson.Sample(rng, Math.Exp(0.5 + 0.4 * x[i, 0] + Math.Sin(2 * x[i, 1])));
        }

        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Poisson);
        NestedGlm<double> nested = NestedGlm.Create<double>(glm, [new LayerSpec(3, new TanhLink())], seed: 2);
        nested.Fit(x, y, options: new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 300 });
        NetworkUncertainty viaNested = NetworkUncertainty.Compute(nested, x, y);
        double[] flat = x.Cast<double>().ToArray();
        double[] glmEta = glm.Predict(x, GlmPredictionScale.Link).Fit.ToArray();
        NetworkUncertainty byHand = NetworkUncertainty.Compute<double>(nested.Network, flat, y, n, default, glmEta);
        GlmPrediction a = viaNested.Predict(flat, n, GlmPredictionScale.Link, glmEta), b = byHand.Predict(flat, n, GlmPredictionScale.Link, glmEta);
        double[] eta = nested.LinearPredictor(x);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(b.StandardErrors[i], a.StandardErrors[i]);
            Assert.True(a.StandardErrors[i] > 0 && double.IsFinite(a.StandardErrors[i]));
            Tolerance.Equal(eta[i], a.Fit[i], 1e-12, 1e-12, $"eta[{i}]");
        }
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        var model = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => NetworkUncertainty.Compute<double>(model, new double[5], new double[3], 3)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => NetworkUncertainty.Compute<double>(model, new double[6], new double[2], 3)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => NetworkUncertainty.Compute<double>(model, [0, double.NaN, 0, 0, 1, 1], new double[3], 3)).ParamName);
        var softmax = StackedGlm.CreateMultinomial<double>(2, [new LayerSpec(3, new TanhLink())], 3, seed: 1);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => NetworkUncertainty.Compute<double>(softmax, new double[6], new double[9], 3)).ParamName);
        NetworkUncertainty u = NetworkUncertainty.Compute<double>(model, [0, 1, 1, 0, 1, 1], [0, 1, 1], 3);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => u.Predict(new double[3], 2)).ParamName);
    }
}

/// <summary>The one-layer law over the generated GLM cases: the delta-method errors of the network are the GLM's.</summary>
public class NetworkUncertaintyLawTests
{
    /// <summary>For every generated family and link, a one-layer network at the GLM's coefficients gives the GLM's prediction standard errors on both scales to 1e-8.</summary>
    [NNLinearity.Tests.Generators.Law]
    public bool OneLayerDeltaMethod_EqualsTheGlm(NNLinearity.Tests.Generators.GlmCase c)
    {
        GlmFit first = NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = 1e-12, MaxIterations = 100 });
        if (!first.Converged || first.Aliased.Any(a => a) || first.Diagnostics.Any(d => d.Kind is GlmDiagnosticKind.Separation or GlmDiagnosticKind.FittedProbabilitiesZeroOrOne or GlmDiagnosticKind.Boundary)) return true; // no MLE to compare at
        // Refit from the coefficients until they stop moving, so that the GLM's working weights (those of the step
        // before its last update, as R's) are the weights at its coefficients: Fisher scoring on a non-canonical
        // link converges linearly, and one refit can leave 1e-9 between them.
        GlmFit fit = first;
        for (int r = 0; r < 60; r++)
        {
            GlmFit next = NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = 1e-12, MaxIterations = 100, Start = fit.Coefficients });
            double move = next.Coefficients.Zip(fit.Coefficients, (a, b) => Math.Abs(a - b)).Max(), size = next.Coefficients.Max(Math.Abs);
            fit = next;
            if (move <= 1e-15 * size) break;
        }

        NetworkUncertainty u = NetworkUncertainty.Compute<double>(GlmBridge.ToStackedGlm(fit), c.X, c.Y, c.Rows);
        foreach (GlmPredictionScale scale in new[] { GlmPredictionScale.Link, GlmPredictionScale.Response })
        {
            GlmPrediction glm = fit.Predict(c.X, c.Rows, c.Columns, scale);
            GlmPrediction net = u.Predict(c.X, c.Rows, scale);
            for (int i = 0; i < c.Rows; i++)
            {
                if (!Tolerance.Close(glm.StandardErrors[i], net.StandardErrors[i], 1e-8, 1e-300)) return false;
            }
        }

        return true;
    }
}

/// <summary>One NetworkUncertainty serves many threads at once: their predictions are the sequential ones, bit for bit.</summary>
public class NetworkUncertaintySharingTests
{
    [Fact]
    public void PredictFromManyThreads_GivesTheSequentialBits()
    {
        var rng = new Random(4);
        const int n = 120;
        double[] x = Enumerable.Range(0, n * 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] y = Enumerable.Range(0, n).Select(i => rng.NextDouble() < 1 / (1 + Math.Exp(-(x[3 * i] + x[3 * i + 1]))) ? 1.0 : 0.0).ToArray(); // not separable: every fitted mean stays inside (0, 1)
        var model = StackedGlm.Create<double>(3, [new LayerSpec(4, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);
        model.Fit(x, y, n, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 50 });
        NetworkUncertainty u = NetworkUncertainty.Compute<double>(model, x, y, n);
        GlmPrediction expected = u.Predict(x, n);
        var results = new GlmPrediction[8];
        System.Threading.Tasks.Parallel.For(0, results.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 8 }, t => results[t] = u.Predict(x, n));
        foreach (GlmPrediction r in results)
        {
            Assert.Equal(expected.Fit, r.Fit);
            Assert.Equal(expected.StandardErrors, r.StandardErrors);
        }
    }
}
