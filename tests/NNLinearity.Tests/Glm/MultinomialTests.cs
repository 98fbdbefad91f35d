using System;
using System.Collections.Generic;
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
using NNLinearity.Tests.Formulas;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Glm;

/// <summary>Multinomial logistic regression against nnet::multinom polished by Newton's method (make_multinom.R).</summary>
public sealed class MultinomialTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("multinom_cases.json"));

    public static TheoryData<string> Names() => new(Cases.Value.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void FormulaFit_IsPolishedMultinom(string name)
    {
        JsonElement c = Cases.Value[name];
        DataTable data = FormulaParityTests.Table(c.GetProperty("data"));
        string? weights = c.GetProperty("weights").GetString();
        MultinomialFit fit = MultinomialGlm.Fit(c.GetProperty("formula").GetString()!, data, new ModelFrameOptions { Weights = weights });
        Assert.True(fit.Converged);
        Assert.Equal(c.Strings("classes"), fit.ClassNames);
        Assert.Equal(c.Strings("columns"), fit.CoefficientNames);
        double[] coef = c.Doubles("coefficients"), se = c.Doubles("se"), nnet = c.Doubles("multinom_coefficients");
        int p = fit.CoefficientNames.Count;
        double nnetGap = 0;
        for (int k = 1; k < fit.ClassNames.Count; k++)
        {
            for (int j = 0; j < p; j++)
            {
                int at = (k - 1) * p + j;
                // 1e-8 against R's maximum (multinom polished by Newton); multinom itself stops about 1e-6 away.
                if (!(Math.Abs(fit.Coefficient(k, j) - coef[at]) <= 1e-8 * Math.Max(1, Math.Abs(coef[at])))) throw new XunitException($"{name} b[{k},{j}]: {fit.Coefficient(k, j):R} vs {coef[at]:R}");
                if (!(Math.Abs(fit.StandardError(k, j) - se[at]) <= 1e-6 * se[at])) throw new XunitException($"{name} se[{k},{j}]: {fit.StandardError(k, j):R} vs {se[at]:R}");
                nnetGap = Math.Max(nnetGap, Math.Abs(fit.Coefficient(k, j) - nnet[at]));
            }
        }

        Assert.True(Math.Abs(fit.Deviance - c.GetProperty("deviance").GetDouble()) <= 1e-8 * fit.Deviance);
        Assert.True(Math.Abs(fit.Aic - c.GetProperty("aic").GetDouble()) <= 1e-8 * fit.Aic);
        Assert.Contains("Residual Deviance:", fit.Summary(), StringComparison.Ordinal);
    }

    /// <summary>Two classes: the multinomial fit is the binomial GLM (class 1 against class 0).</summary>
    [Law]
    public void TwoClasses_EqualTheBinomialGlm(GlmCase c)
    {
        if (c.Family is not BinomialFamily || c.Link is not LogitLink) return;
        var x = new double[c.Rows, c.Columns];
        for (int i = 0; i < c.Rows; i++) for (int j = 0; j < c.Columns; j++) x[i, j] = c.X[i * c.Columns + j];
        // IRLS run to the maximum (R's rule stops 1e-8 in deviance away, about 1e-4 in the coefficients).
        GlmFit glm = NNLinearity.Glm.Glm.Fit(x, c.Y, GlmFamily.Binomial, options: new GlmOptions { Epsilon = 1e-15, MaxIterations = 100 });
        if (glm.Diagnostics.Count > 0) return; // separation or aliasing: no finite maximum to compare
        MultinomialFit fit = MultinomialGlm.Fit(x, c.Y.Select(v => (int)v).ToArray(), ["0", "1"]);
        for (int j = 0; j <= c.Columns; j++)
        {
            // Both at the maximum: coefficients to 1e-8; standard errors to 1e-6 (IRLS takes the information at the step
            // before its last, as R does; Newton at its final point).
            Assert.True(Math.Abs(fit.Coefficient(1, j) - glm.Coefficients[j]) <= 1e-8 * Math.Max(1, Math.Abs(glm.Coefficients[j])), $"b[{j}]: {fit.Coefficient(1, j):R} vs {glm.Coefficients[j]:R} ({c})");
            Assert.True(Math.Abs(fit.StandardError(1, j) - glm.StandardErrors[j]) <= 1e-6 * glm.StandardErrors[j], $"se[{j}]: {fit.StandardError(1, j):R} vs {glm.StandardErrors[j]:R} ({c})");
        }

        Assert.True(Math.Abs(fit.Deviance - glm.Deviance) <= 1e-8 * Math.Max(1, glm.Deviance));
    }

    [Fact]
    public void SoftmaxNetwork_ConvertsToTheMultinomialGlm_AndBack()
    {
        JsonElement c = Cases.Value["synthetic_four_classes"];
        DataTable data = FormulaParityTests.Table(c.GetProperty("data"));
        int n = data.RowCount;
        var x = new double[n, 2];
        var y = new int[n];
        string[] levels = c.Strings("classes");
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = data["x1"].GetNumber(i);
            x[i, 1] = data["x2"].GetNumber(i);
            y[i] = Array.IndexOf(levels, data["cls"].GetLevel(i));
        }

        var model = StackedGlm.CreateMultinomial<double>(2, [], 4, seed: 1);
        model.Fit(x, StackedGlm.OneHot<double>(y, 4), new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 2000, GradientTolerance = 1e-12 });
        (MultinomialFit fit, IReadOnlyList<double> network, double gap) = GlmBridge.ToMultinomialGlm(model, x, y, levels, ["x1", "x2"]);
        MultinomialFit direct = MultinomialGlm.Fit(x, y, levels, new MultinomialOptions { ColumnNames = ["x1", "x2"] });
        Assert.True(gap <= 1e-6, $"gap {gap}");
        for (int k = 1; k < 4; k++) for (int j = 0; j < 3; j++) Assert.True(Math.Abs(fit.Coefficient(k, j) - direct.Coefficient(k, j)) <= 1e-10 * Math.Max(1, Math.Abs(direct.Coefficient(k, j))));

        StackedGlm<double> back = GlmBridge.ToStackedGlm(direct);
        double[,] probs = direct.Predict(x);
        double[] mu = back.Predict(x).Mu.ToArray();
        for (int i = 0; i < n; i++) for (int k = 0; k < 4; k++) Assert.True(Math.Abs(mu[i * 4 + k] - probs[i, k]) <= 1e-14);
    }

    [Fact]
    public void SeparatedClasses_AreReported()
    {
        var x = new double[12, 1];
        var y = new int[12];
        for (int i = 0; i < 12; i++)
        {
            x[i, 0] = i;
            y[i] = i < 4 ? 0 : i < 8 ? 1 : 2;
        }

        MultinomialFit fit = MultinomialGlm.Fit(x, y, ["a", "b", "c"], new MultinomialOptions { MaxIterations = 40 });
        Assert.Contains(fit.Diagnostics, d => d.Kind == GlmDiagnosticKind.FittedProbabilitiesZeroOrOne);
    }
}
