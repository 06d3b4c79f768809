using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT004: a Confidential or Restricted parameter that flows unredacted into a log or console sink inside the
/// method body: <c>ILogger</c> calls (extension methods, <c>[LoggerMessage]</c> methods and <c>LoggerMessage.Define</c>
/// delegates included), <c>Console.Write*</c>, <c>Console.Out/Error.Write*</c>, <c>Debug</c>/<c>Trace</c> writes.
/// </summary>
/// <remarks>
/// Flow is followed only through operations that pass the value on unchanged: conversions, string interpolation and
/// concatenation, <c>string.Format/Concat/Join</c>, <c>ToString()</c>, property access, <c>params</c> arrays,
/// conditionals. Any other call (a redactor, a hash, a mask) is taken to transform the value, so it is not reported:
/// precision first. A sink parameter that is itself classified (the logging generator redacts it) is not a leak.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ClassifiedDataLoggingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ClassifiedDataLogged);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            KnownSymbols? symbols = KnownSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            start.RegisterOperationBlockStartAction(block =>
            {
                // Only bodies of methods with a classified parameter are looked at.
                if (block.OwningSymbol is IMethodSymbol method && HasSensitiveParameter(method, symbols))
                {
                    block.RegisterOperationAction(operation => AnalyzeInvocation(operation, symbols), OperationKind.Invocation);
                }
            });
        });
    }

    private static bool HasSensitiveParameter(IMethodSymbol method, KnownSymbols symbols)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (symbols.Classify(parameter.GetAttributes()) == Classification.Sensitive)
            {
                return true;
            }
        }

        return false;
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        string? sink = SinkName(invocation, symbols);
        if (sink is null)
        {
            return;
        }

        var reported = new HashSet<IOperation>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { } target
                && (symbols.IsLogger(target.Type) || symbols.Classify(target.GetAttributes()) != Classification.None))
            {
                continue;
            }

            Follow(context, argument.Value, null, sink, symbols, reported);
        }

        if (invocation.Instance is { } instance && !symbols.IsLogger(instance.Type) && !IsConsoleWriter(instance, symbols))
        {
            Follow(context, instance, null, sink, symbols, reported);
        }
    }

    /// <summary>The sink's display name, or null when <paramref name="invocation"/> is not a log or console write.</summary>
    private static string? SinkName(IInvocationOperation invocation, KnownSymbols symbols)
    {
        IMethodSymbol target = invocation.TargetMethod;
        INamedTypeSymbol type = target.ContainingType;
        string name = target.Name;
        if (KnownSymbols.Is(type, symbols.Console) && name.StartsWith("Write", StringComparison.Ordinal))
        {
            return "Console." + name;
        }

        if ((KnownSymbols.Is(type, symbols.Debug) || KnownSymbols.Is(type, symbols.Trace))
            && (name.StartsWith("Write", StringComparison.Ordinal) || name.StartsWith("Trace", StringComparison.Ordinal) || name == "Print" || name == "Fail"))
        {
            return type.Name + "." + name;
        }

        if (KnownSymbols.InheritsFrom(type, symbols.TextWriter) && name.StartsWith("Write", StringComparison.Ordinal)
            && invocation.Instance is { } writer && IsConsoleWriter(writer, symbols))
        {
            return "Console." + ((IPropertyReferenceOperation)writer).Property.Name + "." + name;
        }

        if (symbols.ILogger is null)
        {
            return null;
        }

        if (symbols.IsLogger(type) || KnownSymbols.Find(target.GetAttributes(), symbols.LoggerMessage) is not null)
        {
            return type.Name + "." + name;
        }

        // Extension methods on ILogger (LoggerExtensions, [LoggerMessage] methods) and LoggerMessage.Define delegates.
        IMethodSymbol reduced = target.ReducedFrom ?? target;
        if (!reduced.Parameters.IsEmpty && symbols.IsLogger(reduced.Parameters[0].Type))
        {
            return (type.TypeKind == TypeKind.Delegate ? "a logging delegate" : type.Name + "." + name);
        }

        return null;
    }

    private static bool IsConsoleWriter(IOperation operation, KnownSymbols symbols)
        => operation is IPropertyReferenceOperation { Property: { Name: "Out" or "Error", IsStatic: true } property }
           && KnownSymbols.Is(property.ContainingType, symbols.Console);

    /// <summary>
    /// Follows <paramref name="operation"/> through value-preserving operations to classified parameters.
    /// <paramref name="valueRoot"/> is the outermost expression that still is the parameter's value (a property of it,
    /// its <c>ToString()</c>): the diagnostic points there, so the fix wraps the whole value.
    /// </summary>
    private static void Follow(OperationAnalysisContext context, IOperation? operation, IOperation? valueRoot, string sink, KnownSymbols symbols, HashSet<IOperation> reported)
    {
        switch (operation)
        {
            case null:
                return;
            case IParameterReferenceOperation reference:
                Classification classification = symbols.Classify(reference.Parameter.GetAttributes());
                IOperation at = valueRoot ?? reference;
                if (classification == Classification.Sensitive && reported.Add(at))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.ClassifiedDataLogged, at.Syntax.GetLocation(), "classified", reference.Parameter.Name, sink));
                }

                return;
            case IConversionOperation conversion:
                Follow(context, conversion.Operand, valueRoot, sink, symbols, reported);
                return;
            case IParenthesizedOperation parenthesized:
                Follow(context, parenthesized.Operand, valueRoot, sink, symbols, reported);
                return;
            case IPropertyReferenceOperation { Instance: { } instance } property when !IsScalar(property.Property.Type):
                Follow(context, instance, valueRoot ?? property, sink, symbols, reported);
                return;
            case IInvocationOperation { TargetMethod.Name: "ToString", Instance: { } instance } toString:
                Follow(context, instance, valueRoot ?? toString, sink, symbols, reported);
                return;
            case IInvocationOperation { TargetMethod: { ContainingType.SpecialType: SpecialType.System_String, Name: "Format" or "Concat" or "Join" } } stringCall:
                foreach (IArgumentOperation argument in stringCall.Arguments)
                {
                    Follow(context, argument.Value, null, sink, symbols, reported);
                }

                return;
            case IInterpolatedStringOperation interpolated:
                foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                {
                    if (part is IInterpolationOperation interpolation)
                    {
                        Follow(context, interpolation.Expression, null, sink, symbols, reported);
                    }
                }

                return;
            case IInterpolatedStringHandlerCreationOperation handler:
                foreach (IOperation descendant in handler.Content.DescendantsAndSelf())
                {
                    if (descendant is IInterpolatedStringAppendOperation { Kind: OperationKind.InterpolatedStringAppendFormatted, AppendCall: IInvocationOperation { Arguments.Length: > 0 } append })
                    {
                        Follow(context, append.Arguments[0].Value, null, sink, symbols, reported);
                    }
                }

                return;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                Follow(context, binary.LeftOperand, null, sink, symbols, reported);
                Follow(context, binary.RightOperand, null, sink, symbols, reported);
                return;
            case IArrayCreationOperation { Initializer: { } initializer }:
                foreach (IOperation element in initializer.ElementValues)
                {
                    Follow(context, element, null, sink, symbols, reported);
                }

                return;
            case IConditionalOperation conditional:
                Follow(context, conditional.WhenTrue, null, sink, symbols, reported);
                Follow(context, conditional.WhenFalse, null, sink, symbols, reported);
                return;
            case ICoalesceOperation coalesce:
                Follow(context, coalesce.Value, null, sink, symbols, reported);
                Follow(context, coalesce.WhenNull, null, sink, symbols, reported);
                return;
        }
    }

    /// <summary>A count, length or flag of a value does not disclose it.</summary>
    private static bool IsScalar(ITypeSymbol type)
        => type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Int32 or SpecialType.System_Int64
            or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_UInt32 or SpecialType.System_UInt64;
}
