using System;
using System.Linq;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Linearity;

/// <summary>GLM-nested networks, the balance property, output-layer refits, and conversions that carry weights and offsets.</summary>
public sealed class NestedGlmTests
{
    /// <summary>Claims with an exposure and a non-linear effect a GLM on the raw column misses.</summary>
    private static (double[,] X, double[] Y, double[] Offset) Claims(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, 2];
        var y = new double[n];
        var o = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = rng.NextDouble() * 4 - 2;
            x[i, 1] = rng.NextDouble();
            o[i] = Math.Log(0.5 + rng.NextDouble());
            double mu = Math.Exp(o[i] - 0.5 + 0.8 * Math.Sin(2 * x[i, 0]) + 0.3 * x[i, 1]);
            y[i] = MathNet.Numerics.Distributions.Poisson.Sample(rng, mu);
        }

        return (x, y, o);
    }

    [Law]
    public void NestedNetwork_ZeroInitialised_IsTheGlm(GlmCase c)
    {
        var x = new double[c.Rows, c.Columns];
        for (int i = 0; i < c.Rows; i++) for (int j = 0; j < c.Columns; j++) x[i, j] = c.X[i * c.Columns + j];
        GlmFit glm;
        try
        {
            glm = NNLinearity.Glm.Glm.Fit(x, c.Y, c.Family, c.Link);
        }
        catch (GlmFitException)
        {
            return;
        }

        NestedGlm<double> nested = NestedGlm.Create<double>(glm, [new LayerSpec(5, new TanhLink())], seed: c.Seed);
        double[] eta = nested.LinearPredictor(x);
        double[] glmEta = glm.Predict(x, GlmPredictionScale.Link).Fit.ToArray();
        Assert.Equal(glmEta, eta); // f is exactly 0: eta is the GLM's bit for bit
        Assert.Equal(glm.Predict(x).Fit.ToArray(), nested.Predict(x));
    }

    /// <summary>
    /// Cases the law draws about once in 20,000: a cloglog fit whose linear predictor passes 3.6 or -36 on some row,
    /// where R's inverse link clamps the mean to 1 - eps or eps. The nested model's means are the GLM's there too.
    /// </summary>
    [Theory]
    [InlineData(52, 4, 749688)]
    [InlineData(51, 2, 143082)]
    public void NestedNetwork_ZeroInitialised_IsTheGlm_WhereTheMeanIsClamped(int rows, int columns, int seed)
    {
        GlmCase c = new GlmCase(GlmFamily.Binomial, new CloglogLink(), rows, columns, seed).Simulate();
        var x = new double[rows, columns];
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) x[i, j] = c.X[i * columns + j];
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, c.Y, c.Family, c.Link);
        double[] mu = glm.Predict(x).Fit.ToArray();
        Assert.Contains(mu, m => m == 1 - Math.Pow(2, -52) || m == Math.Pow(2, -52)); // the clamp is reached

        NestedGlm<double> nested = NestedGlm.Create<double>(glm, [new LayerSpec(5, new TanhLink())], seed: seed);
        Assert.Equal(mu, nested.Predict(x));
    }

    [Fact]
    public void NestedNetwork_Improves_OnTheGlm_AndTheBalanceCorrectionRestoresTheTotal()
    {
        (double[,] x, double[] y, double[] o) = Claims(600, 1);
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Poisson, options: new GlmOptions { Offset = o });
        // The GLM itself is balanced (canonical link with an intercept): sum (y - mu) = 0 to IRLS's tolerance.
        Assert.True(Math.Abs(y.Zip(glm.FittedValues, (a, b) => a - b).Sum()) <= 1e-6 * y.Sum());

        NestedGlm<double> nested = NestedGlm.Create<double>(glm, [new LayerSpec(16, new TanhLink())], seed: 2);
        nested.Fit(x, y, offset: o, options: new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 300 });
        double Deviance(double[] mu) => y.Select((v, i) => GlmFamily.Poisson.Deviance(v, mu[i], 1)).Sum();
        double nestedDeviance = Deviance(nested.Predict(x, o));
        Assert.True(nestedDeviance < glm.Deviance - 10, $"nested {nestedDeviance} vs GLM {glm.Deviance}");

        BalanceCorrection balance = nested.CorrectBalance(x, y, offset: o);
        Assert.True(Math.Abs(balance.After) <= 1e-10, $"imbalance after {balance.After}");
        Assert.True(Math.Abs(balance.Before) >= Math.Abs(balance.After));
        Assert.True(Deviance(nested.Predict(x, o)) <= nestedDeviance + 1e-9 * nestedDeviance); // the intercept refit cannot raise the deviance

        NestedGlm<float> layerRefit = NestedGlm.Create<float>(glm, [new LayerSpec(8, new TanhLink())], seed: 3);
        layerRefit.Fit(x, y, offset: o, options: new TrainingOptions { MaxEpochs = 20, LearningRate = 0.02 });
        double refitBefore = Deviance(layerRefit.Predict(x, o));
        BalanceCorrection whole = layerRefit.CorrectBalance(x, y, offset: o, wholeOutputLayer: true);
        // A float network's output layer written back in float: balanced to float's resolution (1e-6).
        Assert.True(Math.Abs(whole.After) <= 1e-6, $"imbalance after a whole-layer refit {whole.After}");
        Assert.True(Deviance(layerRefit.Predict(x, o)) <= refitBefore * (1 + 1e-6));

        // Trainable: alternating network training and IRLS refits of the GLM part lowers the joint deviance further or keeps it.
        NestedGlm<double> trainable = NestedGlm.Create<double>(glm, [new LayerSpec(16, new TanhLink())], seed: 2);
        trainable.Fit(x, y, offset: o, options: new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 100 }, trainGlm: true, rounds: 3);
        Assert.True(Deviance(trainable.Predict(x, o)) < glm.Deviance);
        Assert.NotEqual(glm.Coefficients, trainable.Glm.Coefficients);
    }

    [Fact]
    public void OutputLayerRefit_IsAGlmOnTheHiddenFeatures()
    {
        (double[,] x, double[] y, double[] o) = Claims(400, 3);
        var model = StackedGlm.Create<double>(2, [new LayerSpec(6, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: 4);
        var x2 = x.Cast<double>().ToArray();
        model.Fit(x2, y, 400, default, o, new TrainingOptions { MaxEpochs = 30, LearningRate = 0.02 });
        double before = model.Deviance(x2, y, 400, default, o);
        GlmFit refit = GlmBridge.RefitOutputLayer(model, x, y, offset: o);
        Assert.Equal(["(Intercept)", "h1", "h2", "h3", "h4", "h5", "h6"], refit.CoefficientNames);
        double after = model.Deviance(x2, y, 400, default, o);
        // The refit is the maximum over the output layer: never worse, and the model now predicts the GLM's means (1e-8).
        Assert.True(after <= before + 1e-9 * before, $"{after} vs {before}");
        Assert.True(Math.Abs(after - refit.Deviance) <= 1e-8 * refit.Deviance);
        Assert.True(double.IsFinite(refit.StandardErrors[1]));
    }

    [Fact]
    public void MultiOutputAndFloatNetworks_ConvertToOneGlmPerOutput_WithWeightsAndOffsets()
    {
        (double[,] x, double[] y, double[] o) = Claims(300, 5);
        var rng = new Random(6);
        var yy = new float[300, 2];
        var oo = new float[300, 2];
        var xf = new float[300, 2];
        double[] w = Enumerable.Range(0, 300).Select(_ => 0.5 + rng.Next(3)).ToArray();
        for (int i = 0; i < 300; i++)
        {
            xf[i, 0] = (float)x[i, 0];
            xf[i, 1] = (float)x[i, 1];
            yy[i, 0] = (float)y[i];
            yy[i, 1] = rng.Next(4);
            oo[i, 0] = (float)o[i];
        }

        var model = StackedGlm.Create<float>(2, [new LayerSpec(2, new LogLink())], GlmFamily.Poisson, seed: 7);
        model.Fit(xf.Cast<float>().ToArray(), yy.Cast<float>().ToArray(), 300, w, oo.Cast<float>().ToArray(), new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 500 });
        var conversions = GlmBridge.ToGlms(model, xf, yy, ["x1", "x2"], w, oo);
        Assert.Equal(2, conversions.Count);
        for (int k = 0; k < 2; k++)
        {
            double[] yk = Enumerable.Range(0, 300).Select(i => (double)yy[i, k]).ToArray();
            double[] ok = Enumerable.Range(0, 300).Select(i => (double)oo[i, k]).ToArray();
            var xd = new double[300, 2];
            for (int i = 0; i < 300; i++) { xd[i, 0] = xf[i, 0]; xd[i, 1] = xf[i, 1]; }
            GlmFit irls = NNLinearity.Glm.Glm.Fit(xd, yk, GlmFamily.Poisson, options: new GlmOptions { Weights = w, Offset = ok, Epsilon = 1e-12 });
            // 1e-3: a float network trained to float's gradient resolution, against IRLS in double (the GLM then refits in double).
            Assert.True(conversions[k].MaxRelativeDifference < 1e-3, $"output {k}: gap {conversions[k].MaxRelativeDifference}");
            for (int j = 0; j < 3; j++) Assert.True(Math.Abs(conversions[k].Fit.Coefficients[j] - irls.Coefficients[j]) <= 1e-8 * Math.Max(1, Math.Abs(irls.Coefficients[j])));
        }
    }

    [Fact]
    public void WeightedOffsetGlm_AsANetwork_HasItsLinearPredictorAndLoss()
    {
        (double[,] x, double[] y, double[] o) = Claims(200, 8);
        double[] w = Enumerable.Range(0, 200).Select(i => 1.0 + i % 3).ToArray();
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, y, GlmFamily.Poisson, options: new GlmOptions { Weights = w, Offset = o });
        StackedGlm<double> net = GlmBridge.ToStackedGlm(glm);
        double[] xs = x.Cast<double>().ToArray();
        double[] eta = net.Predict(xs, 200, o).Eta.ToArray();
        for (int i = 0; i < 200; i++) Assert.True(Math.Abs(eta[i] - glm.LinearPredictors[i]) <= 1e-12 * Math.Max(1, Math.Abs(eta[i])));
        // The network's weighted deviance is the GLM's (1e-10: per-row sums in another order).
        Assert.True(Math.Abs(net.Deviance(xs, y, 200, w, o) - glm.Deviance) <= 1e-10 * glm.Deviance);
    }
}
