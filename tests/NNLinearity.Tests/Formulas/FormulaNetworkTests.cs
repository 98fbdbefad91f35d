using System;
using System.IO;
using System.Linq;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using Xunit;

namespace NNLinearity.Tests.Formulas;

/// <summary>Networks take the same formulas and tables as GLMs: one-hot factors, standardised numbers, kept in model files.</summary>
public sealed class FormulaNetworkTests
{
    private static DataTable Table(int n, int seed, bool withUnseen = false)
    {
        var rng = new Random(seed);
        double[] x = new double[n], z = new double[n], y = new double[n];
        string[] g = new string[n], cls = new string[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = Math.Round(10 + 5 * (rng.NextDouble() - 0.5), 4);
            z[i] = Math.Round(rng.NextDouble() * 100, 3);
            g[i] = withUnseen && i == 0 ? "zeta" : (i % 3) switch { 0 => "alpha", 1 => "beta", _ => "gamma" };
            double eta = -0.5 + 0.4 * (x[i] - 10) + (g[i] == "beta" ? 0.8 : 0) - 0.01 * (z[i] - 50);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
            cls[i] = eta < -0.6 ? "low" : eta < 0.2 ? "mid" : "high";
        }

        return new DataTable(DataColumn.Numeric("y", y), DataColumn.Numeric("x", x), DataColumn.Numeric("z", z), DataColumn.Text("g", g), DataColumn.Text("cls", cls));
    }

    [Fact]
    public void OneLayerFormulaNetwork_IsTheFormulaGlm_WithItsColumnNames()
    {
        DataTable data = Table(300, 1);
        var model = StackedGlm.Create<double>("y ~ x + g + poly(z, 2)", data, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 2);
        Assert.Equal(["x", "galpha", "gbeta", "ggamma", "poly(z, 2)1", "poly(z, 2)2"], model.Encoding!.InputNames);
        Assert.Equal(0, model.Encoding.Means[1]); // indicators are not standardised
        Assert.Equal(1, model.Encoding.Scales[1]);
        Assert.True(Math.Abs(model.Encoding.Means[0] - 10) < 0.5 && model.Encoding.Scales[0] > 1);
        TrainingResult r = model.Fit(data, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 2000 });
        Assert.NotEqual(TrainingStopReason.Diverged, r.StopReason);

        GlmFit glm = NNLinearity.Glm.Glm.Fit("y ~ x + g + poly(z, 2)", data, GlmFamily.Binomial);
        double[] mu = model.Predict(data).Mu.ToArray();
        // 1e-6: L-BFGS to its gradient tolerance against IRLS to R's rule (the same bound as the one-layer law).
        for (int i = 0; i < mu.Length; i++) Assert.True(Math.Abs(mu[i] - glm.FittedValues[i]) <= 1e-6, $"row {i}: {mu[i]} vs {glm.FittedValues[i]}");

        GlmConversion conversion = GlmBridge.ToGlm(model, data);
        Assert.Equal(glm.CoefficientNames, conversion.Fit.CoefficientNames); // R's coding and names
        Assert.True(Math.Abs(conversion.Fit.Deviance - glm.Deviance) <= 1e-6 * glm.Deviance);
        // The network's parameters, carried to R's coding, are the GLM's to the training bound (1e-5).
        Assert.True(conversion.MaxRelativeDifference <= 1e-5, $"gap {conversion.MaxRelativeDifference}");
        for (int j = 0; j < glm.CoefficientCount; j++) Assert.True(Math.Abs(conversion.Fit.Coefficients[j] - glm.Coefficients[j]) <= 1e-6 * Math.Max(1, Math.Abs(glm.Coefficients[j])));
    }

    [Fact]
    public void FormulaNetworks_SaveAndLoad_WithTheirCoding_AndPredictTablesBitForBit()
    {
        DataTable data = Table(200, 3);
        var binary = StackedGlm.Create<float>("y ~ x * g + log(z + 1) + poly(x, 3)", data, [new LayerSpec(6, new TanhLink()), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 4);
        binary.Fit(data, new TrainingOptions { MaxEpochs = 3 });
        var classes = StackedGlm.CreateMultinomial<double>("cls ~ x + g", data, [new LayerSpec(4, new ReluLink())], seed: 5);
        Assert.Equal(["high", "low", "mid"], classes.Encoding!.ResponseLevels);
        classes.Fit(data, new TrainingOptions { MaxEpochs = 3 });
        DataTable fresh = Table(40, 6);
        using var a = new MemoryStream();
        ModelFile.Save(binary, a);
        a.Position = 0;
        StackedGlm<float> binaryBack = ModelFile.Load<float>(a);
        Assert.Equal(binary.Predict(fresh).Mu.ToArray(), binaryBack.Predict(fresh).Mu.ToArray());
        Assert.Equal(binary.Encoding!.InputNames, binaryBack.Encoding!.InputNames);
        using var b = new MemoryStream();
        ModelFile.Save(classes, b);
        b.Position = 0;
        StackedGlm<double> classesBack = ModelFile.Load<double>(b);
        Assert.Equal(classes.Predict(fresh).Mu.ToArray(), classesBack.Predict(fresh).Mu.ToArray());
        Assert.Equal(classes.Clone().Predict(fresh).Mu.ToArray(), classes.Predict(fresh).Mu.ToArray());
    }

    [Fact]
    public void FormulaNetworks_RefuseUnseenLevels_MissingValues_AndMatrixModels()
    {
        DataTable data = Table(60, 7);
        var model = StackedGlm.Create<double>("y ~ x + g", data, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial);
        Assert.Contains("\"zeta\"", Assert.Throws<ArgumentException>(() => model.Predict(Table(5, 8, withUnseen: true))).Message, StringComparison.Ordinal);
        var missing = new DataTable(DataColumn.Numeric("x", [1, double.NaN]), DataColumn.Text("g", ["alpha", "beta"]));
        Assert.Contains("Row 1 has a missing value in 'x'", Assert.Throws<ArgumentException>(() => model.Predict(missing)).Message, StringComparison.Ordinal);
        var plain = StackedGlm.Create<double>(2, [new LayerSpec(1, new LogitLink())], GlmFamily.Binomial);
        Assert.Throws<InvalidOperationException>(() => plain.Predict(data));
    }
}
