using System;
using NNLinearity.Tests.Generators;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests;

/// <summary>Every public entry point refuses bad input with a typed exception that names the argument.</summary>
public sealed class BadInputTests
{
    [Law]
    public void BadInput_EndsInATypedException_NamingTheArgument(BadCall call) => Check(call);

    /// <summary>Every span member of every link, with a short or empty destination, on lengths below and above a vector: the whole grid the law samples.</summary>
    [Fact]
    public void LinkSpanMembers_RefuseShortDestinations_NamingThem()
    {
        foreach (var link in BadInputArbitraries.SpanLinks)
        {
            foreach (int n in new[] { 1, 17, 40 })
            {
                for (int member = 0; member < 20; member++) Check(BadInputArbitraries.LinkSpanCall(link, n, member));
            }
        }
    }

    /// <summary>
    /// Rows whose buffers through the widest layer would exceed one array (with its page of alignment padding) are
    /// refused before anything is allocated: 2,148 rows through 1,000,000 units need 2,148,000,000 values. (Training
    /// checks all its rows; predictions, losses and gradients take them a chunk at a time.)
    /// </summary>
    [Fact]
    public void Fit_RowsBeyondOneBuffer_AreRefusedNamingRows()
    {
        var model = NNLinearity.Layers.StackedGlm.Create<float>(1, [new NNLinearity.Layers.LayerSpec(1_000_000, new NNLinearity.Links.IdentityLink()), new NNLinearity.Layers.LayerSpec(1, new NNLinearity.Links.IdentityLink())],
            NNLinearity.Families.GlmFamily.Gaussian, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new float[2148], new float[2148], 2148));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("2148000000 values per buffer", e.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {Array.MaxLength - 4096}", e.Message, StringComparison.Ordinal);
    }

    private static void Check(BadCall call)
    {
        Exception? thrown = null;
        try
        {
            object? result = call.Call();
            throw new XunitException($"{call} returned {result ?? "nothing"} instead of refusing the input");
        }
        catch (XunitException)
        {
            throw;
        }
        catch (Exception e)
        {
            thrown = e;
        }

        Assert.True(call.Expected.IsInstanceOfType(thrown), $"{call}: threw {thrown.GetType().Name}: {thrown.Message}");
        Assert.False(string.IsNullOrWhiteSpace(thrown.Message));
        if (thrown is ArgumentException a) Assert.True(a.ParamName == call.Argument, $"{call}: ParamName is '{a.ParamName}' ({a.Message})");
    }
}

/// <summary>Valid but extreme data end in a finite result, a result that carries a diagnostic, or a typed refusal: never a silent NaN.</summary>
public sealed class ExtremeInputTests
{
    [Law]
    public void ExtremeGlm_IsFinite_OrSaysWhy(ExtremeGlm c)
    {
        NNLinearity.Glm.GlmFit fit;
        try
        {
            fit = NNLinearity.Glm.Glm.Fit(c.X, c.Y, c.Family, options: new NNLinearity.Glm.GlmOptions { Weights = c.Weights });
        }
        catch (Exception e) when (e is ArgumentException or NNLinearity.Glm.GlmFitException)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return;
        }

        bool finite = double.IsFinite(fit.Deviance) && double.IsFinite(fit.NullDeviance);
        for (int j = 0; j < fit.CoefficientCount; j++)
        {
            if (fit.Aliased[j]) continue;
            finite &= double.IsFinite(fit.Coefficients[j]) && double.IsFinite(fit.StandardErrors[j]) && !double.IsNaN(fit.PValues[j]);
        }

        finite &= fit.Aic is null || double.IsFinite(fit.Aic.Value);
        Assert.True(finite || fit.Diagnostics.Count > 0, $"{c}: a non-finite result without a diagnostic\n{fit.Summary()}");
    }
}
