using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Formulas;

/// <summary>Networks carry prior weights and offsets: one layer trained with them is R's weighted, offset GLM.</summary>
public sealed class WeightedNetworkTests
{
    private static JsonElement Case(string name) => RFixtures.NamedCases("formula_cases.json")[name];

    /// <summary>R's fits with exposure offsets, prior weights and binomial trials, as one-layer formula networks trained by L-BFGS.</summary>
    [Theory]
    [InlineData("claims_offset_in_formula")]
    [InlineData("claims_offset_argument")]
    [InlineData("weighted_gaussian")]
    [InlineData("esoph_ordered")]
    [InlineData("insurance_exposure")]
    public void OneLayerNetwork_WithWeightsAndOffset_IsRsGlm(string name)
    {
        JsonElement c = Case(name);
        DataTable data = FormulaParityTests.Table(c.GetProperty("data"));
        GlmFamily family = RFixtures.Family(JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("family").GetString()}\"}}").RootElement);
        ILinkFunction link = RFixtures.Link(JsonDocument.Parse($"{{\"name\":\"{c.GetProperty("link").GetString()}\"}}").RootElement);
        var frame = new ModelFrameOptions { Weights = c.GetProperty("weights").GetString(), Offset = c.GetProperty("offset").GetString() };
        var model = StackedGlm.Create<double>(c.GetProperty("formula").GetString()!, data, [new LayerSpec(1, link)], family, seed: 1, frame);
        TrainingResult r = model.Fit(data, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 5000, GradientTolerance = 1e-11 });
        Assert.NotEqual(TrainingStopReason.Diverged, r.StopReason);

        // The network's deviance and its predictions on new rows (exposure included) are R's, to 1e-6 relative.
        GlmConversion conversion = GlmBridge.ToGlm(model, data);
        double rDeviance = c.GetProperty("deviance").GetDouble();
        Assert.True(Math.Abs(conversion.Fit.Deviance - rDeviance) <= 1e-6 * Math.Max(1, rDeviance), $"{name}: deviance {conversion.Fit.Deviance} vs R {rDeviance}; network {2 * r.TrainingLoss} after {r.Epochs} ({r.StopReason}); glm iter {conversion.Fit.Iterations} conv {conversion.Fit.Converged} {string.Join(" | ", conversion.Fit.Diagnostics.Select(d => d.Message))}");
        double[] eta = model.Predict(FormulaParityTests.Table(c.GetProperty("newdata"))).Eta.ToArray();
        double[] rEta = c.Doubles("predict_link");
        for (int i = 0; i < rEta.Length; i++)
        {
            // 1e-5: the network is at the GLM's optimum to L-BFGS's gradient bound, not bit for bit.
            if (!(Math.Abs(eta[i] - rEta[i]) <= 1e-5 * Math.Max(1, Math.Abs(rEta[i])))) throw new XunitException($"{name} eta[{i}]: network {eta[i]:R}, R {rEta[i]:R}");
        }

        // The file keeps the weights and offset columns.
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        Assert.Equal(eta, ModelFile.Load<double>(stream).Predict(FormulaParityTests.Table(c.GetProperty("newdata"))).Eta.ToArray());
    }

    [Law]
    public void OneLayer_WithWeightsAndOffset_EqualsIrls(GlmCase c)
    {
        var rng = new Random(c.Seed);
        double[] w = Enumerable.Range(0, c.Rows).Select(_ => rng.Next(4) * 0.5 + (rng.NextDouble() < 0.1 ? 0 : 0.25)).ToArray();
        double[] o = Enumerable.Range(0, c.Rows).Select(_ => 0.2 * (rng.NextDouble() - 0.5)).ToArray();
        var x = new double[c.Rows, c.Columns];
        for (int i = 0; i < c.Rows; i++) for (int j = 0; j < c.Columns; j++) x[i, j] = c.X[i * c.Columns + j];
        GlmFit glm;
        try
        {
            // Two optima are compared, so both are converged far beyond 1e-6 (as in OneLayer_EqualsIrls).
            glm = NNLinearity.Glm.Glm.Fit(x, c.Y, c.Family, c.Link, new GlmOptions { Weights = w, Offset = o, Epsilon = 1e-15, MaxIterations = 200 });
        }
        catch (GlmFitException)
        {
            return; // IRLS finds no valid start for this draw: nothing to compare
        }

        if (!glm.Converged || glm.Diagnostics.Any(d => d.Kind is GlmDiagnosticKind.Separation or GlmDiagnosticKind.AliasedColumns or GlmDiagnosticKind.FittedProbabilitiesZeroOrOne)) return;
        var model = StackedGlm.Create<double>(c.Columns, [new LayerSpec(1, c.Link)], c.Family, seed: 1);
        var start = new double[c.Columns + 1];
        for (int j = 0; j < c.Columns; j++) start[j] = glm.Coefficients[j + 1] * 0.9;
        start[c.Columns] = glm.Coefficients[0] * 0.9;
        model.SetParameters(start);
        model.Fit(c.X, c.Y, c.Rows, w, o, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 5000, GradientTolerance = 1e-13 });
        if (model.Predict(c.X, c.Rows, o).Eta.ToArray().Any(e => !c.Link.IsValidLinearPredictor(e))) return; // left the GLM's domain (sqrt)
        double[] theta = model.GetParameters();
        double scale = glm.Coefficients.Max(Math.Abs);
        for (int j = 0; j < c.Columns; j++)
        {
            // 1e-6 relative to the largest coefficient, as OneLayer_EqualsIrls: the flattest direction of the likelihood sets the accuracy of all.
            if (!(Math.Abs(theta[j] - glm.Coefficients[j + 1]) <= 1e-6 * scale)) throw new XunitException($"coefficient {j + 1}: network {theta[j]:R}, IRLS {glm.Coefficients[j + 1]:R} ({c})");
        }

        Assert.True(Math.Abs(model.Deviance(c.X, c.Y, c.Rows, w, o) - glm.Deviance) <= 1e-6 * Math.Max(1, glm.Deviance));
    }

    /// <summary>The weighted gradient, through the training entry point (the public gradient takes no weights).</summary>
    private static void TrainingGradient(StackedGlm<double> model, double[] x, double[] y, int rows, double[] w, double[] gradient)
    {
        StackedGlm<double>.Workspace ws = model.NewWorkspace(rows);
        model.LossAndGradientCore(x, y, rows, gradient, 0, 1, withGradient: true, ws, w, default);
    }

    [Law]
    public void IntegerWeights_EqualRowReplication(GlmCase c)
    {
        var rng = new Random(c.Seed + 1);
        int[] counts = Enumerable.Range(0, c.Rows).Select(_ => rng.Next(4)).ToArray();
        if (counts.Sum() == 0) counts[0] = 1;
        int n = counts.Sum(), p = c.Columns;
        var xr = new double[n * p];
        var yr = new double[n];
        int at = 0;
        for (int i = 0; i < c.Rows; i++)
        {
            for (int r = 0; r < counts[i]; r++, at++)
            {
                Array.Copy(c.X, i * p, xr, at * p, p);
                yr[at] = c.Y[i];
            }
        }

        double[] w = counts.Select(k => (double)k).ToArray();
        StackedGlm<double> Model() => StackedGlm.Create<double>(p, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, c.Link)], c.Family, seed: 2);
        StackedGlm<double> weighted = Model(), replicated = Model();
        // The loss is sum w d / (2 sum w): the replicated rows' mean. 1e-12 relative: the same terms summed in another order.
        double lw = weighted.Loss(c.X, c.Y, c.Rows, w, default), lr = replicated.Loss(xr, yr, n);
        Assert.True(Math.Abs(lw - lr) <= 1e-12 * Math.Max(1, Math.Abs(lr)), $"{lw:R} vs {lr:R} ({c})");
        // The same objective everywhere: equal gradients at the start and at random points (1e-10 relative to the
        // largest component: the same terms summed in another order). Training, which reads only these, follows.
        var gw = new double[weighted.ParameterCount];
        var gr = new double[replicated.ParameterCount];
        for (int trial = 0; trial < 3; trial++)
        {
            if (trial > 0)
            {
                double[] theta = Enumerable.Range(0, weighted.ParameterCount).Select(_ => 0.5 * (rng.NextDouble() - 0.5)).ToArray();
                weighted.SetParameters(theta);
                replicated.SetParameters(theta);
            }

            double lwt = weighted.Loss(c.X, c.Y, c.Rows, w, default);
            TrainingGradient(weighted, c.X, c.Y, c.Rows, w, gw);
            replicated.LossAndGradient(xr, yr, n, gr);
            double scale = gr.Max(Math.Abs);
            for (int j = 0; j < gw.Length; j++) Assert.True(Math.Abs(gw[j] - gr[j]) <= 1e-10 * Math.Max(1e-300, scale), $"gradient[{j}]: {gw[j]:R} vs {gr[j]:R} ({c})");
            Assert.True(Math.Abs(lwt - replicated.Loss(xr, yr, n)) <= 1e-12 * Math.Max(1, Math.Abs(lwt)));
        }
    }
}
